// How the course's functions print: `printCost` true prints to the console as the notebooks do;
// a function receives the lines instead (the lessons collect them).

export type PrintCost = boolean | ((line: string) => void);

export function printer(printCost: PrintCost): ((line: string) => void) | undefined {
  if (typeof printCost === 'function') return printCost;
  return printCost ? (line) => console.log(line) : undefined;
}

/** The notebooks' print("Cost after iteration %i: %f" % (i, cost)). */
export function costLine(i: number, cost: number): string {
  return `Cost after iteration ${i}: ${cost.toFixed(6)}`;
}
