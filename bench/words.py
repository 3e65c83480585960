"""The word lists and tag weights the synthetic catalogue is drawn from."""

from accounts.models import OrganisationKind
from catalogue.models import (
    Infrastructure,
    PriceBand,
)

# Bump when the generator changes, so that an existing benchmark database is rebuilt.

# --- Word lists -----------------------------------------------------------------

# Ordered from common to rare: picked with Zipf weights.
FIELDS = [
    "Materials", "Manufacturing", "Biotechnology", "Energy", "Photonics",
    "Nanotechnology", "Robotics", "Microelectronics", "Food", "Health", "Chemistry",
    "Polymer", "Water", "Agriculture", "Automotive", "Aerospace", "Imaging",
    "Microscopy", "Battery", "Hydrogen", "Textile", "Genomics", "Metrology",
    "Semiconductor", "Composites", "Data", "Cybersecurity", "Maritime", "Space",
    "Sensor", "Proteomics", "Ceramics", "Photovoltaics", "Wind", "Forestry", "Glass",
    "Acoustics", "Drone", "Quantum", "Laser", "Plasma", "Ultrasound", "Geothermal",
    "Vaccine", "Tribology", "Corrosion", "Organoid", "Neutron", "Cryogenics",
    "Graphene", "Perovskite", "Spintronics", "Metamaterials", "Exoskeleton",
    "Terahertz", "Magnetocaloric",
]  # fmt: skip
QUALIFIERS = [
    "Advanced", "Applied", "Digital", "Industrial", "Regional", "National", "Open",
    "Integrated", "Smart", "Sustainable", "Clinical", "Green", "European", "Joint",
]  # fmt: skip
KINDS = {
    "Laboratory": 30, "Testing Laboratory": 12, "Centre": 12, "Facility": 10,
    "Platform": 8, "Pilot Line": 5, "Test Bed": 5, "Hub": 5, "Core Facility": 5,
    "Innovation Centre": 5, "Living Lab": 3,
}  # fmt: skip
# Each appears in a handful of descriptions only.
RARE_WORDS = [
    "ptychography", "muonium", "holotomography", "electroporation", "magnetoencephalography",
    "pyrolysis", "cryoprotectant", "rheometry", "dendrochronology", "ellipsometry",
]  # fmt: skip
SENTENCES = [
    "Our testing laboratory works with industry and SMEs on quality and innovation.",
    "The laboratory offers testing, analysis and characterisation for companies.",
    "Researchers and companies use the facility for applied research and validation.",
    "Accredited testing according to international standards is available.",
    "The team supports product development from proof of concept to pilot scale.",
    "Access is open to academic and industrial users after a short feasibility check.",
    "We collaborate with universities, research centres and technology transfer offices.",
    "Training is offered to new users before they operate the instruments themselves.",
    "The infrastructure is part of a European network of open access facilities.",
    "Measurement data are delivered with a report and can be stored in our repository.",
]  # fmt: skip
ORGANISATION_PATTERNS = [
    ("University of {}", OrganisationKind.UNIVERSITY),
    ("Technical University of {}", OrganisationKind.UNIVERSITY),
    ("{} Institute of Technology", OrganisationKind.RTO),
    ("{} Research Centre", OrganisationKind.RTO),
    ("{} Innovation Agency", OrganisationKind.PUBLIC_BODY),
    ("{} Instruments", OrganisationKind.COMPANY),
]
SERVICE_ACTIVITIES = {
    "testing": [
        "Materials testing", "Mechanical testing", "Fatigue testing",
        "Non-destructive testing", "EMC testing", "Environmental testing",
        "Battery testing", "Food safety testing", "Certification testing",
    ],
    "prototyping": ["Rapid prototyping", "Prototype manufacturing", "PCB prototyping"],
    "pilot_production": ["Pilot-scale production", "Process scale-up", "Small series"],
    "training": ["Training course", "Hands-on workshop", "Operator training"],
    "consultancy": ["Technical consultancy", "Feasibility study", "Technology audit"],
    "contract_research": ["Contract research", "Analytical services", "Characterisation"],
    "co_development": ["Joint development", "Collaborative R&D"],
    "equipment_rental": ["Instrument time", "Equipment rental", "Cleanroom access"],
    "computing_data": ["Data analysis", "HPC access", "Simulation and modelling"],
}  # fmt: skip
# (name, technique) pairs and manufacturers of each equipment category.
EQUIPMENT = {
    "electron_microscopy": (
        [("Scanning electron microscope", "SEM imaging and EDX microanalysis"),
         ("Transmission electron microscope", "TEM and electron diffraction"),
         ("Focused ion beam microscope", "FIB-SEM tomography"),
         ("Cryo-electron microscope", "single-particle cryo-electron microscopy")],
        ["Zeiss", "Thermo Fisher Scientific", "JEOL", "Hitachi", "Tescan"],
    ),
    "optical_microscopy": (
        [("Confocal laser scanning microscope", "confocal fluorescence microscopy"),
         ("Light-sheet microscope", "light-sheet fluorescence microscopy"),
         ("Super-resolution microscope", "STED and STORM microscopy"),
         ("Digital optical microscope", "brightfield and darkfield microscopy")],
        ["Zeiss", "Leica", "Nikon", "Olympus", "Keyence"],
    ),
    "scanning_probe": (
        [("Atomic force microscope", "AFM topography"),
         ("Scanning tunnelling microscope", "STM spectroscopy")],
        ["Bruker", "Park Systems", "Oxford Instruments"],
    ),
    "xray": (
        [("X-ray diffractometer", "powder X-ray diffraction"),
         ("Micro-CT scanner", "X-ray computed tomography"),
         ("X-ray photoelectron spectrometer", "XPS surface analysis")],
        ["Bruker", "Rigaku", "Malvern Panalytical"],
    ),
    "spectroscopy": (
        [("FTIR spectrometer", "infrared spectroscopy"),
         ("Raman spectrometer", "Raman spectroscopy"),
         ("UV-Vis spectrophotometer", "absorption spectroscopy"),
         ("ICP optical emission spectrometer", "elemental analysis")],
        ["Agilent", "Horiba", "PerkinElmer", "Renishaw", "Shimadzu"],
    ),
    "mass_spectrometry": (
        [("LC-MS/MS system", "liquid chromatography mass spectrometry"),
         ("MALDI-TOF mass spectrometer", "MALDI imaging"),
         ("GC-MS system", "gas chromatography mass spectrometry"),
         ("Orbitrap mass spectrometer", "high-resolution proteomics")],
        ["Thermo Fisher Scientific", "Waters", "Sciex", "Agilent", "Bruker"],
    ),
    "nmr_mri": (
        [("NMR spectrometer", "solution and solid-state NMR"),
         ("Preclinical MRI scanner", "magnetic resonance imaging")],
        ["Bruker", "Siemens Healthineers", "Oxford Instruments"],
    ),
    "lithography": (
        [("Electron beam lithography system", "e-beam lithography"),
         ("Mask aligner", "UV photolithography"),
         ("Nanoimprint lithography tool", "nanoimprint lithography")],
        ["Raith", "SUSS MicroTec", "EV Group", "Heidelberg Instruments"],
    ),
    "deposition_etching": (
        [("Atomic layer deposition reactor", "ALD thin films"),
         ("Sputter coater", "PVD sputtering"),
         ("Reactive ion etcher", "plasma etching"),
         ("PECVD system", "chemical vapour deposition")],
        ["Oxford Instruments", "Beneq", "Applied Materials", "Plasma-Therm"],
    ),
    "cleanroom": (
        [("ISO 5 cleanroom", "cleanroom microfabrication"),
         ("Wet bench", "wafer cleaning")],
        ["Exyte", "Kinetics", "Clean Air Products"],
    ),
    "thermal_analysis": (
        [("Differential scanning calorimeter", "calorimetry"),
         ("Thermogravimetric analyser", "thermogravimetry"),
         ("Dilatometer", "thermal expansion measurement")],
        ["Netzsch", "TA Instruments", "Mettler Toledo", "Linseis"],
    ),
    "mechanical_testing": (
        [("Universal testing machine", "tensile and compression testing"),
         ("Fatigue testing machine", "fatigue testing"),
         ("Impact tester", "Charpy impact testing"),
         ("Nanoindenter", "nanoindentation hardness testing")],
        ["Zwick Roell", "Instron", "MTS Systems", "Shimadzu"],
    ),
    "additive_manufacturing": (
        [("Metal 3D printer", "laser powder bed fusion"),
         ("Polymer 3D printer", "fused filament fabrication"),
         ("Stereolithography printer", "resin printing"),
         ("Directed energy deposition cell", "wire arc additive manufacturing")],
        ["EOS", "Nikon SLM Solutions", "Stratasys", "Formlabs", "Trumpf"],
    ),
    "machining_forming": (
        [("5-axis CNC machining centre", "CNC milling"),
         ("Press brake", "sheet metal forming"),
         ("Injection moulding machine", "polymer injection moulding")],
        ["DMG Mori", "Haas", "Arburg", "Engel", "Trumpf"],
    ),
    "robotics_automation": (
        [("Collaborative robot arm", "human-robot collaboration"),
         ("Autonomous mobile robot", "intralogistics automation"),
         ("Industrial robot cell", "robotic welding")],
        ["KUKA", "ABB", "Universal Robots", "Fanuc", "Comau"],
    ),
    "electronics_test": (
        [("EMC test chamber", "electromagnetic compatibility testing"),
         ("Vector network analyser", "RF characterisation"),
         ("Wafer probe station", "semiconductor device testing"),
         ("Oscilloscope", "signal integrity analysis")],
        ["Rohde & Schwarz", "Keysight", "Tektronix", "FormFactor"],
    ),
    "lasers_photonics": (
        [("Femtosecond laser system", "ultrafast laser processing"),
         ("Optical spectrum analyser", "photonic characterisation"),
         ("Fibre drawing tower", "optical fibre fabrication")],
        ["Coherent", "Trumpf", "Light Conversion", "Thorlabs"],
    ),
    "sequencing_omics": (
        [("Next-generation sequencer", "DNA sequencing"),
         ("Single-cell sequencing platform", "single-cell RNA sequencing"),
         ("Long-read sequencer", "nanopore sequencing")],
        ["Illumina", "Oxford Nanopore", "PacBio", "10x Genomics"],
    ),
    "cell_culture_bioprocess": (
        [("Bioreactor", "fermentation and bioprocessing"),
         ("Biosafety cabinet", "cell culture"),
         ("Flow cytometer", "cell sorting")],
        ["Sartorius", "Eppendorf", "Thermo Fisher Scientific", "BD Biosciences"],
    ),
    "preclinical_imaging": (
        [("PET/CT scanner", "preclinical molecular imaging"),
         ("In vivo optical imager", "bioluminescence imaging"),
         ("Ultrasound imaging system", "high-frequency ultrasound")],
        ["Bruker", "Mediso", "PerkinElmer", "Fujifilm VisualSonics"],
    ),
    "computing_storage": (
        [("HPC cluster", "high-performance computing"),
         ("GPU server", "deep learning"),
         ("Research data storage", "research data management")],
        ["HPE", "Lenovo", "Dell Technologies", "NVIDIA", "Eviden"],
    ),
    "environmental_sensing": (
        [("Weather station", "meteorological monitoring"),
         ("Air quality monitor", "atmospheric measurement"),
         ("Water quality sonde", "limnology")],
        ["Vaisala", "Campbell Scientific", "YSI", "Picarro"],
    ),
    "energy_systems": (
        [("Battery cycler", "battery testing"),
         ("Electrolyser test bench", "hydrogen production"),
         ("Solar simulator", "photovoltaic testing"),
         ("Smart grid laboratory", "power hardware-in-the-loop")],
        ["Arbin", "BioLogic", "Siemens", "OPAL-RT"],
    ),
    "vehicles_mobility": (
        [("Chassis dynamometer", "vehicle testing"),
         ("Driving simulator", "human factors research"),
         ("Wind tunnel", "aerodynamic testing")],
        ["AVL", "HORIBA MIRA", "dSPACE", "Vector Informatik"],
    ),
    "vr_ar": (
        [("CAVE virtual reality system", "immersive visualisation"),
         ("Motion capture system", "motion tracking")],
        ["Vicon", "Barco", "HTC", "Varjo"],
    ),
    "radio_astronomy": (
        [("Radio telescope", "radio interferometry"),
         ("Cryogenic receiver", "low-noise amplification")],
        ["ASTRON", "Callisto", "Kratos"],
    ),
    "accelerator_beamline": (
        [("Ion implanter", "ion beam analysis"),
         ("Linear accelerator", "electron irradiation"),
         ("Synchrotron beamline endstation", "X-ray absorption spectroscopy")],
        ["Varian", "IBA", "High Voltage Engineering", "Danfysik"],
    ),
    "other": (
        [("Climate chamber", "environmental testing"),
         ("Salt spray chamber", "corrosion testing"),
         ("Glovebox", "inert atmosphere handling")],
        ["Binder", "Weiss Technik", "MBraun", "Memmert"],
    ),
}  # fmt: skip
EQUIPMENT_WEIGHTS = {
    "electron_microscopy": 6, "optical_microscopy": 6, "spectroscopy": 6,
    "mechanical_testing": 6, "mass_spectrometry": 4, "xray": 4,
    "additive_manufacturing": 4, "electronics_test": 4, "computing_storage": 3,
    "thermal_analysis": 3, "cell_culture_bioprocess": 3, "machining_forming": 3,
    "robotics_automation": 3, "energy_systems": 3, "deposition_etching": 2,
    "other": 2,
}  # fmt: skip
KET_WEIGHTS = {
    "AM": 22, "AMN": 20, "LST": 18, "MNEP": 12, "AI": 10, "SEC": 6,
    "NANO": 3, "MNE": 2.5, "PHOT": 2.5, "AMAT": 2, "IBIO": 2, "AMT": 2,
}  # fmt: skip
TYPE_WEIGHTS = {
    "core_facility": 20, "technology_centre": 18, "test_bed": 14, "pilot_line": 12,
    "large_equipment": 10, "living_lab": 6, "e_infrastructure": 5,
    "biobank_collection": 3, "observatory": 2,
}  # fmt: skip
SERVICE_TYPE_WEIGHTS = {
    "testing": 25, "contract_research": 15, "consultancy": 12, "prototyping": 10,
    "training": 10, "equipment_rental": 10, "co_development": 7,
    "pilot_production": 6, "computing_data": 5,
}  # fmt: skip
ACCESS_WEIGHTS = {
    "staff_operated": 50,
    "collaboration": 25,
    "self_service": 15,
    "remote": 10,
}
PRICE_WEIGHTS = {
    PriceBand.ON_REQUEST: 35, PriceBand.UNDER_1K: 20, PriceBand.FROM_1K_TO_5K: 25,
    PriceBand.FROM_5K_TO_20K: 13, PriceBand.OVER_20K: 7,
}  # fmt: skip
COUNTRY_LANGUAGES = {
    "AT": ["de"], "BE": ["nl", "fr", "de"], "BG": ["bg"], "CY": ["el"], "CZ": ["cs"],
    "DE": ["de"], "DK": ["da"], "EE": ["et"], "EL": ["el"], "ES": ["es"],
    "FI": ["fi", "sv"], "FR": ["fr"], "HR": ["hr"], "HU": ["hu"], "IE": ["en", "ga"],
    "IT": ["it"], "LT": ["lt"], "LU": ["fr", "de"], "LV": ["lv"], "MT": ["mt", "en"],
    "NL": ["nl"], "PL": ["pl"], "PT": ["pt"], "RO": ["ro"], "SE": ["sv"],
    "SI": ["sl"], "SK": ["sk"],
}  # fmt: skip
RIS3_THEMES = [
    "Advanced manufacturing", "Health and life sciences", "Agrifood",
    "Energy transition", "Digital transformation", "Sustainable mobility",
    "Creative industries", "Blue growth", "Circular economy", "Space and security",
]  # fmt: skip

STATUS_WEIGHTS = {
    Infrastructure.Status.PUBLISHED: 95,
    Infrastructure.Status.DRAFT: 2,
    Infrastructure.Status.PENDING: 2,
    Infrastructure.Status.ARCHIVED: 1,
}
