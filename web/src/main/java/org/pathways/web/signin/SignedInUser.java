package org.pathways.web.signin;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Who is signed in, as the issuer's ID token says: their user name, the agency they act for and their platform
 * roles ({@code WORKER}, {@code AGENCY_ADMIN}, {@code COORDINATOR}, {@code PLATFORM_ADMIN}). Used only to choose
 * what to offer; what they may see is the API's decision, made on their access token.
 */
public record SignedInUser(String name, String agency, Set<String> roles) {

    public static SignedInUser of(OidcUser user) {
        Object agency = user.getClaims().get("agency");
        Object roles = user.getClaims().get("roles");
        Set<String> names = new TreeSet<>();
        if (roles instanceof Collection<?> list) {
            list.forEach(role -> names.add(role.toString()));
        }
        return new SignedInUser(user.getPreferredUsername() != null ? user.getPreferredUsername() : user.getSubject(),
                agency == null ? "" : agency.toString(), Set.copyOf(names));
    }

    public boolean isWorker() {
        return roles.contains("WORKER");
    }

    public boolean isAgencyAdmin() {
        return roles.contains("AGENCY_ADMIN");
    }

    public boolean isCoordinator() {
        return roles.contains("COORDINATOR");
    }

    public boolean isPlatformAdmin() {
        return roles.contains("PLATFORM_ADMIN");
    }

    /** The roles in a stable order, for display. */
    public List<String> roleList() {
        return List.copyOf(new TreeSet<>(roles));
    }
}
