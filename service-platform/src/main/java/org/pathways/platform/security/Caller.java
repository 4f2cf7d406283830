package org.pathways.platform.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who is calling: the user (or machine client), the agency they act for, and their roles. Every service scopes
 * what it reads and writes by {@link #agencyId()}; controllers take a {@code Caller} parameter.
 */
public record Caller(String userId, String agencyId, Set<Role> roles) {

    public static final String AGENCY_CLAIM = "agency";
    public static final String ROLES_CLAIM = "roles";

    public Caller {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    public static Caller from(Jwt jwt) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        Collection<String> names = jwt.getClaimAsStringList(ROLES_CLAIM);
        if (names != null) {
            for (String name : names) {
                for (Role role : Role.values()) {
                    if (role.name().equals(name)) {
                        roles.add(role);
                    }
                }
            }
        }
        return new Caller(jwt.getSubject(), jwt.getClaimAsString(AGENCY_CLAIM), roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    public boolean actsFor(String agency) {
        return agencyId != null && agencyId.equals(agency);
    }
}
