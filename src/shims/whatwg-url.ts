// node-fetch 2 falls back to whatwg-url only where Node has no URL class; every supported Node has one, so the
// bundle maps the package to the built-in and leaves out its 265 KB of Unicode tables.
export { URL } from 'url';
