import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

// The l33t matcher's search grows combinatorially with the substitutions it tries: 100 (the
// default) costs ~90 ms for a 25-character password, 10 costs ~12 ms with the same scores.
// Look-alike substitutions of context words are caught by our own check (password-context.ts).
export const ESTIMATOR_OPTIONS = { l33tMaxSubstitutions: 10 };

let estimator: ZxcvbnFactory | undefined;

/** Building the ranked dictionaries takes a few hundred milliseconds, so it happens once, on first use. */
export function loadStrengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    ...ESTIMATOR_OPTIONS,
  });
  return estimator;
}

/** zxcvbn's 0–4 guessability score; `userInputs` are words an attacker would try first. */
export function strengthScore(password: string, userInputs: readonly string[]): number {
  return loadStrengthEstimator().check(password, [...userInputs]).score;
}
