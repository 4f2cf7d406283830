package org.pathways.notification.fhir;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.platform.validation.ResourceId;

/**
 * A Subscription's {@code criteria}, as far as this server supports it: {@code Task} or {@code ServiceRequest},
 * optionally with {@code owner}/{@code performer} (the receiving agency), {@code requester} (the referring agency)
 * and, for Task, {@code status} (Task codes), each value comma-separated for "any of". It filters within what the
 * agency already receives (referrals it is party to): criteria never widen standing. Anything else is refused
 * when the Subscription is created, rather than silently matching more than asked.
 */
record RestHookCriteria(String resourceType, Set<String> receiving, Set<String> referring,
                        Set<ReferralStatus> statuses) {

    private static final Pattern FORM = Pattern.compile("(Task|ServiceRequest)(?:\\?(.*))?");
    private static final Pattern ORGANIZATION = Pattern.compile("(?:Organization/)?(" + ResourceId.PATTERN + ")");

    static RestHookCriteria parse(String criteria) {
        Matcher form = FORM.matcher(criteria == null ? "" : criteria.trim());
        if (!form.matches()) {
            throw new IllegalArgumentException("criteria must be a search on Task or ServiceRequest, e.g. "
                    + "Task?owner=Organization/<your agency id>.");
        }
        String type = form.group(1);
        Set<String> receiving = new java.util.LinkedHashSet<>();
        Set<String> referring = new java.util.LinkedHashSet<>();
        Set<ReferralStatus> statuses = EnumSet.noneOf(ReferralStatus.class);
        if (form.group(2) != null && !form.group(2).isEmpty()) {
            for (String parameter : form.group(2).split("&")) {
                int equals = parameter.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("criteria parameters must be name=value.");
                }
                String name = parameter.substring(0, equals);
                String value = java.net.URLDecoder.decode(parameter.substring(equals + 1),
                        java.nio.charset.StandardCharsets.UTF_8);
                switch (name) {
                    case "owner", "performer" -> receiving.addAll(organizations(value));
                    case "requester" -> referring.addAll(organizations(value));
                    case "status" -> {
                        if (!type.equals("Task")) {
                            throw new IllegalArgumentException("criteria: status is supported on Task only.");
                        }
                        for (String code : value.split(",")) {
                            statuses.add(TaskResources.statusForCode(code.trim()).orElseThrow(() ->
                                    new IllegalArgumentException("criteria: status must be Task status codes.")));
                        }
                    }
                    default -> throw new IllegalArgumentException(
                            "criteria: the parameter is not supported (owner, performer, requester, status).");
                }
            }
        }
        return new RestHookCriteria(type, Set.copyOf(receiving), Set.copyOf(referring), Set.copyOf(statuses));
    }

    private static List<String> organizations(String value) {
        List<String> ids = new ArrayList<>();
        for (String part : value.split(",")) {
            Matcher matcher = ORGANIZATION.matcher(part.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("criteria: owner, performer and requester reference an "
                        + "Organization (Organization/<id>).");
            }
            ids.add(matcher.group(1));
        }
        return ids;
    }

    /** Whether a referral now in {@code status} between these agencies matches. */
    boolean matches(String referringAgencyId, String receivingAgencyId, ReferralStatus status) {
        return (receiving.isEmpty() || receiving.contains(receivingAgencyId))
                && (referring.isEmpty() || referring.contains(referringAgencyId))
                && (statuses.isEmpty() || statuses.contains(status));
    }
}
