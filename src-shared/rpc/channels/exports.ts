/**
 * Export channels (`exports.*`). Filled in by the exports service work; declared here so the contract,
 * the handler registry and both clients pick them up without further wiring.
 */
export const exportChannels = {} as const;

export const exportEvents = {} as const;
