import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

let estimator: ZxcvbnFactory | undefined;

/** Building the ranked dictionaries takes a few hundred milliseconds, so it happens once, on first use. */
export function loadStrengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
  });
  return estimator;
}

/** zxcvbn's 0–4 guessability score; `userInputs` are words an attacker would try first. */
export function strengthScore(password: string, userInputs: readonly string[]): number {
  return loadStrengthEstimator().check(password, [...userInputs]).score;
}
