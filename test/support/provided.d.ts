// Values the global setup hands to tests (vitest provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    esUrl: string;
    opensearchUrl: string;
    esVersion: string;
    opensearchVersion: string;
  }
}

export {};
