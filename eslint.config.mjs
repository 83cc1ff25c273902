// ESLint 9 (flat config) for the add-ons' JavaScript: Odoo 18.0 and 19.0 load every file
// under static/src and static/tests as an ES module (OWL components, tours). The rules are
// ESLint's recommended set, the ones Odoo's own tooling adds (addons/web/tooling) and the
// errors of OCA's template; layout is left to prettier (prettier.config.cjs).
import js from "@eslint/js";
import jsdoc from "eslint-plugin-jsdoc";
import globals from "globals";

export default [
    {ignores: ["node_modules/", "**/static/lib/", "**/static/description/"]},
    js.configs.recommended,
    {
        files: ["**/*.js", "**/*.mjs"],
        plugins: {jsdoc},
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: {
                ...globals.browser,
                // What Odoo's pages define besides the browser's; everything else is imported
                // (@odoo/owl, @web/...).
                odoo: "readonly",
                owl: "readonly",
                luxon: "readonly",
            },
        },
        rules: {
            // Odoo's (addons/web/tooling/_eslintrc.json).
            curly: ["error", "all"],
            "no-duplicate-imports": "error",
            "no-restricted-globals": ["error", "event", "self"],
            "no-unused-vars": [
                "error",
                {vars: "all", args: "none", caughtErrors: "all"},
            ],
            "prefer-const": [
                "error",
                {destructuring: "all", ignoreReadBeforeAssign: true},
            ],
            // OCA's template's errors.
            "init-declarations": "error",
            "no-empty-function": "error",
            "no-eq-null": "error",
            "no-eval": "error",
            "no-implied-eval": "error",
            "no-lonely-if": "error",
            "no-return-assign": "error",
            "no-unneeded-ternary": "error",
            "no-unused-expressions": "error",
            "no-use-before-define": "error",
            "operator-assignment": ["error", "always"],
            strict: ["error", "function"],
            eqeqeq: "error",
            radix: "error",
            // JSDoc comments: known tags and types only.
            "jsdoc/check-tag-names": "error",
            "jsdoc/check-types": "error",
        },
    },
    {
        // The tools' own configuration files run in Node.
        files: ["*.config.cjs", "*.config.mjs"],
        languageOptions: {globals: globals.node},
    },
    {
        files: ["*.cjs"],
        languageOptions: {sourceType: "commonjs"},
    },
];
