/** Delivery health per agency: webhooks delivered (first time or after retries), parked, and later recovered. */
package org.pathways.progression.delivery;
