// tessera/fastify: the Fastify adapter's public API.
export {
  tesseraPlugin,
  SESSION_COOKIE,
  CSRF_COOKIE,
  DEVICE_COOKIE,
  type PermissionChecker,
  type TesseraPluginOptions,
  type TesseraSettings,
  type LoginOptions,
} from './plugin.ts';
export { csrfProtect, CSRF_FIELD, CSRF_HEADER } from './csrf-protect.ts';
export { loginRequired, userPassesTest, permissionRequired, requirePost, methodNotAllowed, type GuardOptions, type TestOptions, type UserTest } from './guards.ts';
export { loginUrlWithNext, nextAfterLogin, encodeNext } from './login-redirect.ts';
