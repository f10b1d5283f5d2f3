// A scan worker serving the toy formats, for sandboxed directory-unit tests.
import { serveScans } from "../../engine/serve.ts";
import { TOY_REGISTRY } from "./_toy_formats.ts";

serveScans(TOY_REGISTRY);
