// Vite bundles CSS: `?inline` gives its text (for shadow roots in the news page).
declare module '*.css';
declare module '*.css?inline' {
  const css: string;
  export default css;
}
