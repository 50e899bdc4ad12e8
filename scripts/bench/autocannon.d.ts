// autocannon 8 ships no types: only what the benchmark uses.
declare module 'autocannon' {
  type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each send; what it returns is sent. */
    setupRequest?: (request: Request) => Request;
  };
  type Latency = { p50: number; p90: number; p99: number; average: number; max: number };
  type Result = {
    duration: number;
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    latency: Latency;
  };
  type Options = { url: string; connections: number; duration: number; requests: Request[] };
  function autocannon(options: Options): Promise<Result>;
  export = autocannon;
}
