import { Agent, setGlobalDispatcher } from "undici";

/**
 * Every fetch of the integration tests on a connection of its own. With
 * keep-alive, a test whose process was busy for a second or more (building a
 * 100 MiB zip, hashing) could send its next request on a socket the web
 * server had just closed for idleness (5 s): undici's own timer, due a second
 * earlier, had not run yet, and the request failed with "other side closed".
 * Connecting anew costs well under a millisecond on the loopback.
 */
setGlobalDispatcher(new Agent({ pipelining: 0 }));
