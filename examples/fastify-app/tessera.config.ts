// What `npx tessera <command>` reads, as Django's manage.py reads settings: this app's tessera
// (its user fields and migrations) and the server `npx tessera start` runs.
export { tessera as default, buildApp as app } from './app.js';
