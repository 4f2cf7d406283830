/**
 * The team around a learner and their shared plan (issue 19), as the worker's agency may see them: who leads, a
 * handover waiting, the agencies working with the learner and their open referrals (duplicate efforts stand out),
 * the plan's steps, and the forms that change them. Everything is the API's answer to the worker's own token.
 */
package org.pathways.web.team;
