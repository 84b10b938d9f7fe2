/** Must match ComponentVersion in recipe.yaml and the version in gdk-config.json. */
export const COMPONENT_VERSION = '1.0.0';
