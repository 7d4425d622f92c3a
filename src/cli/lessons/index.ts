import type { Lesson } from './lesson.js';
import { week2Logistic } from './week2-logistic.js';
import { week3Planar } from './week3-planar.js';
import { week4Application } from './week4-application.js';
import { week4StepByStep } from './week4-step-by-step.js';
import { whyDeep } from './why-deep.js';

/** The lessons in the course's order. */
export const LESSONS: readonly Lesson[] = [week2Logistic, week3Planar, week4StepByStep, week4Application, whyDeep];
