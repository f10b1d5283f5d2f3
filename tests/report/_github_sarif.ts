/**
 * What GitHub code scanning requires of an uploaded SARIF log beyond the schema (its documented
 * limits, URIs relative to the checkout that name real files, unique fingerprints), asserted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type SarifLog, SRCROOT } from "../../report/sarif.ts";

/** Fails unless GitHub would accept `log` for a checkout at `root`. */
export function assertGitHubAccepts(log: SarifLog, root: string): void {
  assert.ok(log.$schema, "$schema is required");
  assert.equal(log.version, "2.1.0");
  assert.ok(log.runs.length >= 1 && log.runs.length <= 20, "runs per file");
  for (const run of log.runs) {
    const { driver } = run.tool;
    assert.ok(driver.name);
    assert.ok(driver.rules.length <= 25_000, "rules per run");
    assert.equal(
      new Set(driver.rules.map((rule) => rule.id)).size,
      driver.rules.length,
      "rule ids are unique",
    );
    for (const rule of driver.rules) {
      assert.ok(rule.id);
      assert.ok(rule.name.length > 0 && rule.name.length <= 255, `${rule.id} name`);
      for (const description of [rule.shortDescription.text, rule.fullDescription.text]) {
        assert.ok(description.length > 0 && description.length <= 1024, `${rule.id} description length`);
      }
      assert.ok(rule.help.text.length > 0 && rule.help.markdown.length > 0, `${rule.id} help`);
      assert.match(rule.helpUri, /^https:\/\//);
      assert.ok(["note", "warning", "error"].includes(rule.defaultConfiguration.level));
      const tags = rule.properties.tags as string[];
      assert.ok(tags.length <= 10, `${rule.id}: GitHub shows only 10 tags`);
      const securitySeverity = rule.properties["security-severity"];
      if (tags.includes("security")) {
        assert.match(String(securitySeverity), /^\d+\.\d$/, `${rule.id} security-severity`);
        assert.ok(Number(securitySeverity) > 0 && Number(securitySeverity) <= 10);
      } else {
        assert.equal(securitySeverity, undefined, `${rule.id} is no security rule`);
      }
    }
    assert.ok(run.results.length <= 25_000, "results per run");
    const fingerprints = new Set<string>();
    for (const result of run.results) {
      assert.equal(driver.rules[result.ruleIndex].id, result.ruleId);
      assert.ok(["note", "warning", "error"].includes(result.level));
      assert.ok(result.message.text.length > 0, "message.text");
      assert.ok(result.locations.length >= 1 && result.locations.length <= 10, "locations");
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      assert.ok(artifactLocation.uri, "artifactLocation.uri");
      // GitHub matches the URI against the repository's files: relative to the root, and a real file.
      assert.equal(artifactLocation.uriBaseId, SRCROOT);
      assert.doesNotMatch(artifactLocation.uri, /^(\/|\.\.\/|[a-z]+:)/);
      assert.ok(existsSync(resolve(root, decodeURIComponent(artifactLocation.uri))), artifactLocation.uri);
      assert.ok(Number.isInteger(region?.startLine) && region!.startLine >= 1, "region.startLine");
      const fingerprint = result.partialFingerprints.primaryLocationLineHash;
      assert.ok(fingerprint, "partialFingerprints.primaryLocationLineHash");
      assert.ok(!fingerprints.has(fingerprint), `two results share the fingerprint ${fingerprint}`);
      fingerprints.add(fingerprint);
    }
  }
}
