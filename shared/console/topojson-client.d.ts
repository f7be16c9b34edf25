/** The one function of topojson-client the build uses (the package ships no types). */
declare module 'topojson-client' {
  export function feature(
    topology: unknown,
    object: unknown,
  ): { features: { id?: string | number; properties?: { name?: string }; geometry: unknown }[] };
}
