// Prettier for the add-ons' JavaScript, with OCA's settings (oca-addons-repo-template,
// prettier.config.cjs; its 4-space indent comes from OCA's .editorconfig).
/** @type {import("prettier").Config} */
const config = {
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    tabWidth: 4,
    trailingComma: "es5",
};

module.exports = config;
