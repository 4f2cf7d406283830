/**
 * The learner aggregate: registration, the personal details only permitted agencies may read, and the consents
 * embedded in it (so that a consent change and its event are one atomic write).
 */
package org.pathways.learner.profile;
