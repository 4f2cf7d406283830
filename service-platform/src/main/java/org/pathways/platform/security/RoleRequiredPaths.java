package org.pathways.platform.security;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpMethod;

/**
 * Requests that only one role may make, refused ({@code 403} problem details) by the security filter chain, before
 * any controller reads their body: an upload of 200 MB that the controller would parse before checking the caller's
 * role would be read whole for anyone holding a token. The controller still checks the role itself; this is the
 * earlier, cheaper refusal. Set per service (and at the gateway, for the paths it routes):
 *
 * <pre>
 * pathways.security.role-required:
 *   hsds-imports: {method: POST, paths: [/api/hsds/imports, /api/hsds/import], role: PLATFORM_ADMIN}
 * </pre>
 *
 * @param roleRequired each rule by a name of its own (so that configuration files can add to one another)
 */
@ConfigurationProperties("pathways.security")
public record RoleRequiredPaths(@DefaultValue Map<String, Rule> roleRequired) {

    /**
     * @param method the method refused to others (all when unset)
     * @param paths  path patterns, as Spring's {@code PathPattern} reads them
     * @param role   the role a caller must hold
     */
    public record Rule(HttpMethod method, List<String> paths, Role role) {
    }
}
