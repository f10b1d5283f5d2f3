import assert from "node:assert/strict";
import { renderLocation } from "../../report/location.ts";

Deno.test("renderLocation joins the file and members with colons, as reports always showed them", () => {
  assert.equal(renderLocation({ file: "models/m.pkl", members: [] }), "models/m.pkl");
  assert.equal(renderLocation({ file: "m.pkl", members: [], position: 0 }), "m.pkl (pos 0)");
  assert.equal(
    renderLocation({ file: "outer.zip", members: ["inner/model.pt", "archive/data.pkl"], position: 52 }),
    "outer.zip:inner/model.pt:archive/data.pkl (pos 52)",
  );
  assert.equal(
    renderLocation({ file: "m.pkl", members: ["<payload@21>"], position: 40 }),
    "m.pkl:<payload@21> (pos 40)",
  );
});

Deno.test("renderLocation adds line, column and key path inside one parenthesis", () => {
  assert.equal(
    renderLocation({ file: "config.yaml", members: [], line: 3, column: 9, keyPath: "$.aws.secret" }),
    "config.yaml (line 3, col 9, key $.aws.secret)",
  );
  assert.equal(renderLocation({ file: "c.json", members: [], keyPath: "$.x" }), "c.json (key $.x)");
  assert.equal(renderLocation({ file: "c.bin", members: [], position: 7, line: 1 }), "c.bin (pos 7, line 1)");
});
