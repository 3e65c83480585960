-- The tag concepts of each infrastructure, including those of its services and
-- equipment, the 2018 successors of 2012 KETs, the parents of scientific subdomains
-- and the NABS/NACE codes of its RIS3 priorities.
SELECT x.infrastructure_id AS id, c.scheme, c.code, c.collection, c.parent_id,
       c.label || ' ' || array_to_string(c.alt_labels, ' ') AS words
FROM (
    SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_kets
    UNION ALL SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_types
    UNION ALL SELECT infrastructure_id, concept_id
        FROM catalogue_infrastructure_scientific_domains
    UNION ALL SELECT infrastructure_id, concept_id FROM catalogue_infrastructure_languages
    UNION ALL SELECT id, structure_id FROM catalogue_infrastructure
        WHERE structure_id IS NOT NULL
    UNION ALL SELECT infrastructure_id, service_type_id FROM catalogue_service
    UNION ALL SELECT infrastructure_id, access_mode_id FROM catalogue_service
    UNION ALL SELECT infrastructure_id, category_id FROM catalogue_equipment
    UNION ALL SELECT s.infrastructure_id, t.concept_id FROM catalogue_service_kets t
        JOIN catalogue_service s ON s.id = t.service_id
    UNION ALL SELECT s.infrastructure_id, t.concept_id FROM catalogue_service_languages t
        JOIN catalogue_service s ON s.id = t.service_id
    UNION ALL SELECT k.infrastructure_id, m.to_concept_id
        FROM catalogue_infrastructure_kets k
        JOIN catalogue_concept_maps_to m ON m.from_concept_id = k.concept_id
    UNION ALL SELECT s.infrastructure_id, m.to_concept_id FROM catalogue_service_kets k
        JOIN catalogue_service s ON s.id = k.service_id
        JOIN catalogue_concept_maps_to m ON m.from_concept_id = k.concept_id
    UNION ALL SELECT d.infrastructure_id, c.parent_id
        FROM catalogue_infrastructure_scientific_domains d
        JOIN catalogue_concept c ON c.id = d.concept_id WHERE c.parent_id IS NOT NULL
    UNION ALL SELECT p.infrastructure_id, n.concept_id
        FROM catalogue_infrastructure_ris3_priorities p
        JOIN catalogue_ris3priority_nabs_chapters n
            ON n.ris3priority_id = p.ris3priority_id
    UNION ALL SELECT p.infrastructure_id, n.concept_id
        FROM catalogue_infrastructure_ris3_priorities p
        JOIN catalogue_ris3priority_nace_sections n
            ON n.ris3priority_id = p.ris3priority_id
) x
JOIN catalogue_concept c ON c.id = x.concept_id
