/**
 * Shape of the conformance-profile data in ./data, written by scripts/generate-hl7-profiles.ts from NIST's
 * profile XML and read by ./check.ts. Kept close to the XML's own vocabulary (usage, Min/Max, Datatype, Binding)
 * so a reader can hold the two side by side.
 */

/** R required, RE required but may be empty, C/CE conditional, O optional, X not supported, B backward-compatible. */
export type Usage = 'R' | 'RE' | 'C' | 'CE' | 'O' | 'X' | 'B';

/** `*` is unbounded, as the XML writes it. */
export type Bound = number | '*';

export interface SegmentNode {
  readonly segment: string;
  /** Key into `ProfileData.segments`: the profile's own segment definition (MSH_IZ 1_5_Z22, …). */
  readonly ref: string;
  readonly usage: Usage;
  readonly min: number;
  readonly max: Bound;
}

export interface GroupNode {
  /** The last part of the profile's group ID (VXU_V04.ORDER.OBSERVATION → OBSERVATION). */
  readonly group: string;
  readonly usage: Usage;
  readonly min: number;
  readonly max: Bound;
  readonly children: readonly StructureNode[];
}

export type StructureNode = SegmentNode | GroupNode;

export interface ElementDef {
  readonly name: string;
  readonly usage: Usage;
  /** Key into `ProfileData.datatypes` (a flavour such as CE_IZ, or a base type such as ST). */
  readonly dt: string;
  readonly minLen?: number;
  readonly maxLen?: Bound;
  /** Value sets the element is bound to; the XML joins several with `:` (CVX:NDC_Use:NDC_Sale). */
  readonly table?: readonly string[];
  /** Which component of a coded element carries the code (BindingLocation); absent for a primitive. */
  readonly bindingAt?: number;
}

export interface FieldDef extends ElementDef {
  readonly min: number;
  readonly max: Bound;
}

/** OBX-5's datatype chosen by OBX-2 (and, for some, OBX-3.1): the profile's DynamicMapping. */
export interface DynamicMapping {
  readonly position: number;
  readonly reference: number;
  /** `field.component`, e.g. `3.1`. */
  readonly secondReference?: string;
  readonly cases: readonly { readonly value: string; readonly secondValue?: string; readonly dt: string }[];
}

export interface SegmentDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
  readonly dynamic?: readonly DynamicMapping[];
}

export interface DatatypeDef {
  /** The HL7 base type (TS for TS_NZ, DT for DT_D): what format checks go by. */
  readonly name: string;
  /** Empty for a primitive. */
  readonly components: readonly ElementDef[];
}

export type ProfileId = 'VXU_Z22' | 'ACK_Z23' | 'QBP_Z44';

export interface ProfileData {
  readonly id: ProfileId;
  readonly source: {
    readonly file: string;
    readonly name: string;
    readonly org: string;
    readonly version: string;
    readonly date: string;
    readonly specification: string;
  };
  readonly message: {
    readonly type: string;
    readonly event: string;
    readonly structure: string;
    readonly identifier: string;
  };
  readonly structure: readonly StructureNode[];
  readonly segments: Readonly<Record<string, SegmentDef>>;
  readonly datatypes: Readonly<Record<string, DatatypeDef>>;
  /** Value sets the profile itself lists with their codes; NIST's files list none (they ship them separately). */
  readonly valueSets: Readonly<Record<string, readonly string[]>>;
  /**
   * Conditional (C/CE) elements whose predicate the profile does not state: NIST keeps predicates and
   * conformance statements in a separate constraints file. The ones we could source are judged by the rules in
   * ./data/conditions.json; the rest of this list is optional to the checker.
   */
  readonly conditional: readonly string[];
}
