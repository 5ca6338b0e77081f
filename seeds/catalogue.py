"""What demo and synthetic enterprises are made of: business names, products, KBLI codes.

Names are composed from these lists and a seeded Faker (id_ID), so a run is reproducible.
HS codes are 8-digit BTKI 2022 headings chosen for each product; KBLI codes are the KBLI 2020
classes an office would expect for the sector. Both are illustrative, not a customs ruling.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductKind:
    name: str
    hs_code: str
    unit: str


@dataclass(frozen=True)
class SectorProfile:
    kbli: str
    name_patterns: tuple[str, ...]
    products: tuple[ProductKind, ...]


# {place} is a regency or a local place name, {owner} the owner's first name.
SECTOR_PROFILES: dict[str, SectorProfile] = {
    "coffee": SectorProfile(
        "10761",
        ("Kopi {place}", "Kopi Robusta {owner}", "Rumah Kopi {place}", "Kopi Bubuk {owner}"),
        (
            ProductKind("Biji kopi robusta (green bean)", "09011190", "kg"),
            ProductKind("Kopi robusta bubuk", "09012120", "kg"),
            ProductKind("Kopi sangrai biji", "09012110", "kg"),
        ),
    ),
    "spices": SectorProfile(
        "10772",
        ("Rempah {place}", "Lada Hitam {owner}", "Sumber Rempah {place}"),
        (
            ProductKind("Lada hitam", "09041120", "kg"),
            ProductKind("Lada putih", "09041110", "kg"),
            ProductKind("Kayu manis", "09061100", "kg"),
            ProductKind("Cengkih", "09071000", "kg"),
        ),
    ),
    "cocoa": SectorProfile(
        "10732",
        ("Cokelat {place}", "Kakao {owner}"),
        (
            ProductKind("Bubuk kakao", "18050000", "kg"),
            ProductKind("Cokelat batang", "18069090", "kg"),
        ),
    ),
    "food-beverages": SectorProfile(
        "10794",
        ("Keripik {owner}", "Aneka Rasa {place}", "Dapur {owner}", "Oleh-oleh {place}"),
        (
            ProductKind("Keripik pisang", "20089990", "kg"),
            ProductKind("Keripik singkong", "20059990", "kg"),
            ProductKind("Sambal lingkung", "21039090", "kg"),
            ProductKind("Kemplang ikan", "19059090", "kg"),
        ),
    ),
    "coconut": SectorProfile(
        "10422",
        ("Kelapa {place}", "Nira {owner}"),
        (
            ProductKind("Minyak kelapa murni (VCO)", "15131190", "l"),
            ProductKind("Gula kelapa", "17029099", "kg"),
            ProductKind("Arang tempurung kelapa", "44029010", "kg"),
        ),
    ),
    "fisheries": SectorProfile(
        "10219",
        ("Hasil Laut {place}", "Bahari {owner}"),
        (
            ProductKind("Ikan teri kering", "03055990", "kg"),
            ProductKind("Kerupuk ikan", "19059090", "kg"),
            ProductKind("Udang beku", "03061719", "kg"),
        ),
    ),
    "handicraft": SectorProfile(
        "16293",
        ("Anyaman {place}", "Kriya {owner}", "Bambu {place}"),
        (
            ProductKind("Keranjang anyaman bambu", "46021100", "pcs"),
            ProductKind("Tas anyaman rotan", "46021200", "pcs"),
            ProductKind("Hiasan dinding kayu", "44201900", "pcs"),
        ),
    ),
    "textile-batik": SectorProfile(
        "13134",
        ("Batik {owner}", "Batik {place}", "Griya Batik {owner}"),
        (
            ProductKind("Kain batik tulis katun", "52085990", "m"),
            ProductKind("Kemeja batik", "62052090", "pcs"),
        ),
    ),
    "woven-cloth": SectorProfile(
        "13121",
        ("Tapis {owner}", "Sulam Tapis {place}", "Tenun {place}"),
        (
            ProductKind("Kain tapis", "58109200", "pcs"),
            ProductKind("Selendang tenun", "62149090", "pcs"),
        ),
    ),
    "furniture": SectorProfile(
        "31001",
        ("Mebel {owner}", "Jati {place}", "Ukir {owner}"),
        (
            ProductKind("Kursi taman kayu jati", "94036090", "pcs"),
            ProductKind("Meja ukir kayu", "94036090", "pcs"),
        ),
    ),
    "cosmetics-herbal": SectorProfile(
        "21022",
        ("Jamu {owner}", "Herbal {place}", "Sari Alam {owner}"),
        (
            ProductKind("Jamu instan", "21069099", "kg"),
            ProductKind("Sabun herbal", "34011190", "pcs"),
        ),
    ),
    "essential-oils": SectorProfile(
        "20294",
        ("Atsiri {place}", "Nilam {owner}"),
        (ProductKind("Minyak nilam", "33012990", "kg"),),
    ),
    "fashion-leather": SectorProfile(
        "15121",
        ("Kulit {owner}", "Tas {place}"),
        (ProductKind("Tas kulit", "42022100", "pcs"),),
    ),
}

LAMPUNG_SECTORS = (
    "coffee",
    "coffee",
    "spices",
    "food-beverages",
    "food-beverages",
    "coconut",
    "fisheries",
    "woven-cloth",
    "handicraft",
    "cocoa",
)
JATENG_SECTORS = (
    "textile-batik",
    "textile-batik",
    "furniture",
    "furniture",
    "handicraft",
    "food-beverages",
    "cosmetics-herbal",
    "fashion-leather",
)
EXPORT_DESTINATIONS = ("SG", "MY", "JP", "KR", "AE", "SA", "NL", "DE", "US", "AU", "CN", "TW")
COACHES = (
    "Rina Marlina (pendamping ekspor)",
    "Agus Salim (konsultan ekspor)",
    "Dewi Lestari (pendamping LPEI)",
)
SESSION_TOPICS = {
    "pemula": (
        "Mengenal pasar ekspor",
        "Legalitas usaha dan NIB",
        "Kemasan dan label",
        "Menghitung harga pokok produksi",
        "Pemasaran digital",
        "Sertifikasi produk",
        "Simulasi penawaran",
        "Rencana ekspor sederhana",
    ),
    "menengah": (
        "Riset pasar tujuan",
        "Perhitungan harga FOB",
        "Incoterms 2020",
        "Dokumen ekspor (PEB, invoice, packing list)",
        "Pembayaran internasional",
        "Standar mutu pembeli",
        "Pameran dan business matching",
        "Katalog produk",
    ),
    "mahir": (
        "Negosiasi dengan pembeli",
        "Kontrak ekspor",
        "Pembiayaan ekspor (LPEI)",
        "Asuransi dan risiko",
        "Logistik dan konsolidasi kontainer",
        "Perjanjian perdagangan dan SKA",
        "Pitching ke pembeli",
        "Rencana ekspor 12 bulan",
    ),
}
