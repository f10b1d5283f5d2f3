// Test helper: abort signals that show which listeners are still attached to them.

/** A controller whose signal counts the abort listeners attached to it, to show none is left behind. */
export function countedSignal(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  const attached = new Set<EventListenerOrEventListenerObject>();
  const { signal } = controller;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ) => {
    attached.add(listener);
    add(type, listener, options);
  };
  signal.removeEventListener = (
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ) => {
    attached.delete(listener);
    remove(type, listener, options);
  };
  return { controller, listeners: () => attached.size };
}
