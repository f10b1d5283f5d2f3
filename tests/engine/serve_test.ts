// A scan worker's side of the protocol: it says it is ready once its modules have loaded, before
// any request, then answers each request with one reply carrying the request's id.
import assert from "node:assert/strict";
import { startScanWorker } from "../../engine/sandbox.ts";
import { newProgress, type WorkerMessage, type WorkerRequest } from "../../engine/worker_protocol.ts";

/** `promise`, or a failure naming `what` after 10 s: a missing message fails the test instead of hanging it. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a scan worker says it is ready first, then replies to each request by id", async () => {
  const realPath = await Deno.realPath("fixtures/pickle/malicious/global_os_system_reduce_p0.pkl");
  const worker = startScanWorker([realPath]);
  const messages: WorkerMessage[] = [];
  let next = Promise.withResolvers<void>();
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
    messages.push(event.data);
    next.resolve();
  };
  try {
    await within(next.promise, "ready message");
    assert.deepEqual(messages, [{ ready: true }]);
    for (const id of [3, 4]) {
      next = Promise.withResolvers<void>();
      const request: WorkerRequest = {
        id,
        tasks: [{ realPath, path: "model.pkl", blacklist: [] }],
        progress: newProgress(),
        sentAt: Date.now(),
      };
      worker.postMessage(request);
      await within(next.promise, `reply ${id}`);
    }
    assert.equal(messages.length, 3);
    for (const [index, id] of [[1, 3], [2, 4]] as const) {
      const reply: WorkerMessage = messages[index];
      assert.ok("id" in reply, JSON.stringify(reply));
      assert.equal(reply.id, id);
      assert.deepEqual(reply.outcomes[0].findings.map((finding) => finding.rule), ["MA100", "MA101"]);
    }
  } finally {
    worker.terminate();
  }
});
