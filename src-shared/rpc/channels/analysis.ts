/**
 * Analysis channels (`analysis.*`). Filled in by the analysis service work; declared here so the contract,
 * the handler registry and both clients pick them up without further wiring.
 */
export const analysisChannels = {} as const;

export const analysisEvents = {} as const;
