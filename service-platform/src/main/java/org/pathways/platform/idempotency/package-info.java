/** Idempotency keys: how a service recognises a request sent again. */
package org.pathways.platform.idempotency;
