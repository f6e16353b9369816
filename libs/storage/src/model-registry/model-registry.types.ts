/** A gate's verdict as the registry keeps it (the shape @pulse/training's GateVerdict has). */
export interface StoredGateVerdict {
  readonly name: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly threshold: number;
  readonly detail: string;
}

/** One model input column: the feature's name, its kind (e.g. "float"), its place in the input row. */
export interface SignatureInput {
  readonly name: string;
  readonly type: string;
  readonly index: number;
}

/** One model output: ONNX dimensions are sizes or symbolic names ("N"); null where unknown. */
export interface SignatureOutput {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string | null)[];
}

/** How to call the ONNX model: one input tensor (`inputName`) whose columns are `inputs` by index. */
export interface ModelSignature {
  readonly inputName: string;
  readonly inputs: readonly SignatureInput[];
  readonly outputs: readonly SignatureOutput[];
}

/**
 * Input rows with the scores the trained model gave them, so a loader can check that the ONNX artifact
 * reproduces them. A missing feature value is NaN (stored as JSON null, read back as NaN).
 */
export interface TestSample {
  readonly rows: readonly (readonly number[])[];
  readonly scores: readonly (readonly number[])[];
}

/** A trained version to register; the repository numbers it and computes the artifacts' digests. */
export interface NewModelVersion {
  readonly model: string;
  readonly specVersion: number;
  readonly task: string;
  readonly createdBy: string;
  readonly trainingJobId?: string | null;
  readonly metrics: Readonly<Record<string, number>>;
  /** The gates' verdicts; the version's `gatesPassed` is whether every one passed. */
  readonly gates: readonly StoredGateVerdict[];
  readonly signature: ModelSignature;
  readonly lineage: Readonly<Record<string, unknown>>;
  /** Any JSON object (the training lib's Evaluation); stored as given. */
  readonly evaluation: object;
  /** The HTML report, or a function making it from the version number the registration assigns. */
  readonly reportHtml: string | ((version: number) => string);
  readonly onnx: Uint8Array;
  /** The model as JSON text (the engine's own format); must parse. */
  readonly modelJson: string;
  readonly testSample: TestSample;
  /**
   * The training data's distribution per input feature and of the score (bin edges with counts, as
   * @pulse/drift's ReferenceProfile), which monitoring compares live predictions with.
   */
  readonly referenceProfile?: Readonly<Record<string, unknown>>;
  /** The caller's SHA-256 (hex) of the version's deterministic contents: equal contents, equal digest. */
  readonly contentSha256: string;
}

export interface ModelVersionArtifacts {
  readonly onnx: Buffer;
  readonly modelJson: string;
  readonly reportHtml: string;
}

/** A registered version. Timestamps are ISO strings. `artifacts` only when asked for. */
export interface ModelVersionRecord {
  readonly model: string;
  readonly version: number;
  readonly specVersion: number;
  readonly task: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly trainingJobId: string | null;
  readonly metrics: Record<string, number>;
  readonly gates: StoredGateVerdict[];
  readonly gatesPassed: boolean;
  readonly signature: ModelSignature;
  readonly lineage: Record<string, unknown>;
  readonly evaluation: Record<string, unknown>;
  readonly testSample: TestSample;
  /** See NewModelVersion.referenceProfile; null for versions registered without one. */
  readonly referenceProfile: Readonly<Record<string, unknown>> | null;
  readonly onnxSha256: string;
  readonly onnxBytes: number;
  readonly modelJsonSha256: string;
  readonly modelJsonBytes: number;
  readonly contentSha256: string;
  readonly artifacts?: ModelVersionArtifacts;
}

export interface ModelSummary {
  readonly model: string;
  readonly latestVersion: number;
  readonly latestCreatedAt: string;
  readonly versionCount: number;
  /** Alias -> version. */
  readonly aliases: Record<string, number>;
}

export type ArtifactKind = 'onnx' | 'json';

export interface ModelArtifact {
  readonly bytes: Buffer;
  /** Hex SHA-256 of `bytes`, computed at registration and checked again on this read. */
  readonly sha256: string;
  readonly contentType: string;
}

export interface MoveAliasInput {
  readonly model: string;
  readonly alias: string;
  /** The version to point at; null deletes the alias. */
  readonly version: number | null;
  readonly actor: string;
  readonly reason: string;
  /**
   * Compare-and-set: the version the caller believes the alias holds now (null: believes it absent).
   * When given and the alias holds another, the move fails with AliasConflictError. Omitted: no check.
   */
  readonly expectedVersion?: number | null;
}

/** One move of an alias (a row of its history); `toVersion` null: the alias was deleted. */
export interface AliasMove {
  readonly model: string;
  readonly alias: string;
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly movedAt: string;
  /** 1, 2, 3… per (model, alias), without gaps. */
  readonly sequence: number;
}

/**
 * What moveAlias did. `changed` false: the alias held that version already (or was absent and a
 * delete was asked) and nothing was written; from = to = the current version, and the actor, reason,
 * time and sequence are those of the move that set it (sequence 0 when the alias never existed).
 */
export interface AliasMoveResult extends AliasMove {
  readonly changed: boolean;
}

export interface ModelRegisteredEvent {
  readonly type: 'registered';
  readonly eventId: string;
  readonly model: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly gatesPassed: boolean;
  readonly metrics: Record<string, number>;
  readonly onnxSha256: string;
  /** Input features in the order the model expects them. */
  readonly featureNames: string[];
  readonly trainingJobId: string | null;
  /** The training request's id, when the job is in the registry. */
  readonly trainingRequestId: string | null;
}

export interface AliasMovedEvent {
  readonly type: 'alias_moved';
  readonly eventId: string;
  readonly model: string;
  readonly alias: string;
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly occurredAt: string;
  /** = toVersion (null: the alias was deleted). */
  readonly version: number | null;
}

export type ModelLifecycleEvent = ModelRegisteredEvent | AliasMovedEvent;

/** An outbox row not yet published; `id` (a decimal bigint) is what markLifecycleEventsPublished takes. */
export interface PendingLifecycleEvent {
  readonly id: string;
  readonly payload: ModelLifecycleEvent;
  readonly createdAt: string;
}
