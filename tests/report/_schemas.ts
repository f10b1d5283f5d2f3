/**
 * Validators of the committed JSON schemas, built with Ajv: the official SARIF
 * 2.1.0 schema (OASIS errata 01, JSON Schema draft-04), the official CycloneDX
 * 1.6 schema with the SPDX and JSF schemas it refers to (draft-07, from
 * CycloneDX/specification) and the JSON report's schema (draft 2020-12).
 * Formats (`uri`, `date-time`) are checked too.
 *
 * @module
 */

import { Ajv, type Ajv as AjvCore, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
// CommonJS modules whose default export Deno types as the module: their `default` is the export.
import ajvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";

const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

/** A compiled schema: `undefined` when the document is valid, else Ajv's errors, one per line. */
export type Validate = (document: unknown) => string | undefined;

async function readSchema(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(`../../schemas/${name}`, import.meta.url)));
}

function validator(ajv: AjvCore, schema: Record<string, unknown>): Validate {
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (document) =>
    validate(document)
      ? undefined
      : validate.errors!.map((error: ErrorObject) =>
        `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`
      )
        .join("\n");
}

/** The official SARIF 2.1.0 schema, `schemas/sarif-2.1.0.json`. */
export async function sarifValidator(): Promise<Validate> {
  return validator(new AjvDraft04({ allErrors: true, strict: false }), await readSchema("sarif-2.1.0.json"));
}

/** The JSON report's schema, `schemas/report.schema.json`, compiled strictly. */
export async function reportValidator(): Promise<Validate> {
  return validator(new Ajv2020({ allErrors: true, strict: true }), await readSchema("report.schema.json"));
}

/** The official CycloneDX 1.6 JSON schema, `schemas/cyclonedx/bom-1.6.schema.json`, with the schemas it refers to. */
export async function cycloneDxValidator(): Promise<Validate> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const name of ["spdx.schema.json", "jsf-0.82.schema.json"]) {
    ajv.addSchema(await readSchema(`cyclonedx/${name}`), name);
  }
  return validator(ajv, await readSchema("cyclonedx/bom-1.6.schema.json"));
}
