package org.pathways.identity.guessing;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How many failures the issuer accepts before it stops checking ({@code pathways.identity.guessing.*}).
 *
 * @param username failed sign-ins for one username (known or not)
 * @param address failed sign-ins from one client address, whatever the usernames: looser, since several people
 *                may share an address
 * @param client failed client authentications with a secret for one client id (known or not)
 */
@Validated
@ConfigurationProperties("pathways.identity.guessing")
public record GuessingProperties(@NotNull @Valid Limit username, @NotNull @Valid Limit address,
                                 @NotNull @Valid Limit client) {

    /**
     * @param failures failures within the window after which attempts are refused
     * @param window counted from the first failure; once the limit is reached, attempts are refused for a window
     *               from the last failure
     */
    public record Limit(@Positive int failures, @NotNull Duration window) {
    }
}
