// The hidden `_csrf` field every state-changing form carries (CONTRACT.md, Forms).
import { withPage } from './page-context.ts';

export const CsrfInput = withPage<object>((_props, { csrf }) => <input type="hidden" name="_csrf" value={csrf} />);
