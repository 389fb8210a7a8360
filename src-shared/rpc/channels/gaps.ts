/**
 * Gap channels (`gaps.*`). Filled in by the gaps service work; declared here so the contract,
 * the handler registry and both clients pick them up without further wiring.
 */
export const gapChannels = {} as const;

export const gapEvents = {} as const;
