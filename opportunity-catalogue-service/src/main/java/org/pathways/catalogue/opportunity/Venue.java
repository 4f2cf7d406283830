package org.pathways.catalogue.opportunity;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Where an opportunity takes place; coordinates are optional (WGS84 degrees). */
public record Venue(
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Size(max = 100) String locality,
        @DecimalMin("-90") @DecimalMax("90") Double latitude,
        @DecimalMin("-180") @DecimalMax("180") Double longitude) {

    public Venue {
        name = name == null ? null : name.strip();
        locality = locality == null ? null : locality.strip();
        if ((latitude == null) != (longitude == null)) {
            throw new IllegalArgumentException("A venue has both coordinates or neither");
        }
    }

    public boolean hasCoordinates() {
        return latitude != null;
    }

    /** Great-circle distance in kilometres (haversine). */
    public static double kilometresBetween(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 6371.0088 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
    }
}
