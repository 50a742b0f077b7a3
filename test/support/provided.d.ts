// Values the global setup hands to tests (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    esUrl: string;
    opensearchUrl: string;
    esVersion: string;
    opensearchVersion: string;
    /** Control URL of the fault-drill server pool (test/support/fault-engine.ts); '' when none. */
    faultEngines: string;
  }
}

export {};
