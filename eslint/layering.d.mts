import type { ESLint, Rule } from 'eslint';

export declare const layeringRule: Rule.RuleModule;
export declare const localPlugin: ESLint.Plugin;
