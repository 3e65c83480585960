"""schema.org descriptions of catalogue pages, for search engines."""

from django.http import HttpRequest

from .models import Infrastructure


def infrastructure_json_ld(
    request: HttpRequest, infrastructure: Infrastructure
) -> dict:
    url = request.build_absolute_uri(infrastructure.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "ResearchOrganization",
        "@id": url,
        "url": url,
        "name": infrastructure.name,
        "description": infrastructure.summary,
        "email": infrastructure.contact_email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": infrastructure.address,
            "addressLocality": infrastructure.city,
            "addressRegion": infrastructure.region.display_name,
            "addressCountry": infrastructure.region.country_code,
        },
        **(
            {
                "parentOrganization": {
                    "@type": "Organization",
                    "name": infrastructure.host.name,
                }
            }
            if infrastructure.host
            else {}
        ),
        "knowsAbout": [ket.label for ket in infrastructure.kets.all()],
        "knowsLanguage": [language.code for language in infrastructure.languages.all()],
        "hasOfferCatalog": {
            "@type": "OfferCatalog",
            "name": "Services",
            "itemListElement": [
                {
                    "@type": "Offer",
                    "itemOffered": {
                        "@type": "Service",
                        "name": service.name,
                        "description": service.description,
                        "serviceType": service.service_type.label,
                        "url": url + "#" + service.anchor,
                    },
                }
                for service in infrastructure.services.all()
            ],
        },
    }
    if infrastructure.website:
        data["sameAs"] = [infrastructure.website]
    if infrastructure.latitude is not None:
        assert infrastructure.longitude is not None  # a constraint sets both or neither
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(infrastructure.latitude),
            "longitude": float(infrastructure.longitude),
        }
    return data
