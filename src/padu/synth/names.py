"""Name pools for the synthetic register, by the groups that live in Kaltara.

Tidung, Bulungan, Dayak (Lundayeh, Kenyah, Kayan), Bugis, Banjar, Javanese, Toraja,
Timorese and Chinese-Indonesian names; Muslim and Christian naming, honorifics, single names,
``bin``/``binti`` and surnames carried by children where the group does so. The pools are
illustrative (common given names and clan names), not drawn from any register.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pool:
    """Given names by sex and the surnames a group passes on (empty = no surnames)."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...] = ()
    single_name_share: float = 0.0  # share of people with one name only
    muslim: bool = True


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_MUSLIM_M = _t(
    "Muhammad Ahmad Abdul Rahman Hasan Husain Ismail Yusuf Ibrahim Ali Umar Usman Hamzah Rizki "
    "Fajar Arif Ridwan Syamsul Syahrul Zainal Amir Hamid Jafar Salim Nasir Rahmat Hidayat Irfan "
    "Fadli Faisal Ilham Akbar Aldi Dimas Bayu Rafi Azka Alif Hendra Herman Jamal Iskandar "
    "Sulaiman Daud"
)
_MUSLIM_F = _t(
    "Siti Nur Nurhayati Fatimah Aisyah Khadijah Aminah Halimah Rahmawati Hasanah Salmah Zainab "
    "Maryam Nurul Dewi Rina Wati Yuliana Fitri Rahmah Sakinah Hafsah Nabila Aulia Zahra Putri "
    "Intan Ayu Indah Lestari Kartika Mulyani Hartini Suryani Aisah Juwita Norma Jumiati Rosmiati"
)
_CHRIST_M = _t(
    "Yohanes Markus Lukas Matius Petrus Paulus Daniel Yosef Yakobus Simon Stefanus Andreas "
    "Fransiskus Antonius Agustinus Benediktus Dominikus Gabriel Mikael Samuel Natanael Timotius "
    "Yesaya Imanuel Kristian Robert Frans Hendrik Alexander Viktor Yulius Yonatan Elia Musa"
)
_CHRIST_F = _t(
    "Maria Magdalena Marta Elisabet Debora Ester Rut Rebeka Sara Priska Lidia Yohana Agnes "
    "Theresia Veronika Katarina Monika Yuliana Kristina Natalia Susana Margaretha Fransiska "
    "Angelina Elsa Yemima Naomi Dolvina Selvi Novita Meliana Desi Herlina Ruth Yuni Lusia"
)

POOLS: dict[str, Pool] = {
    "tidung": Pool(
        _MUSLIM_M + _t("Datu Amat Arsyad Jamaluddin Baharuddin Sabri Ardiansyah Aspiansyah"),
        _MUSLIM_F + _t("Masnah Mardiah Jamilah Rusnah Asnah Saniah Nurbaya"),
        single_name_share=0.25,
    ),
    "bulungan": Pool(
        _MUSLIM_M + _t("Datu Maharaja Alimuddin Kasimuddin Muhtar Syarifuddin Aji"),
        _MUSLIM_F + _t("Dayang Aji Masitah Normah Jubaidah Rosnah"),
        single_name_share=0.15,
    ),
    "dayak": Pool(
        _CHRIST_M
        + _t(
            "Balang Lewi Yansen Ating Lawing Ajang Usat Jalung Ngau Baya Pedan Irau Lalung Ibau "
            "Apui Alang"
        ),
        _CHRIST_F
        + _t("Ubung Bulan Lenjau Ping Dian Udau Sinah Lirung Buring Yanti Linda Hana Marice"),
        surnames=_t(
            "Balang Lawing Ajang Usat Ngau Irau Pedan Ibau Apui Tadem Baya Lasan Padan Labo "
            "Aran Siang"
        ),
        single_name_share=0.3,
        muslim=False,
    ),
    "bugis": Pool(
        _MUSLIM_M
        + _t("Andi Baso Sudirman Syamsuddin Baharuddin Amiruddin Nasruddin Mappa Sulaiman Rusdi"),
        _MUSLIM_F + _t("Andi Hasnah Sitti Nurhaeda Hasnawati Rosdiana Nurhayati Darmawati Hadijah"),
        single_name_share=0.2,
    ),
    "banjar": Pool(
        _MUSLIM_M + _t("Gusti Anang Aluh Rahmadi Saberan Muhdi Fahrurrazi Syahbani Jumberi"),
        _MUSLIM_F + _t("Antung Galuh Masliana Raudah Hamidah Jumiatul Mahliani"),
        single_name_share=0.2,
    ),
    "jawa": Pool(
        _t(
            "Sutrisno Suparman Sugiyanto Slamet Bambang Joko Agus Budi Eko Heru Wahyu Teguh Sugeng "
            "Purnomo Supriyadi Sumarno Tukiman Paijo Darmanto Hariyanto Setiawan Nugroho Prasetyo "
            "Yulianto Susanto Mulyono Rudi Imam Edi Ahmad Muhammad"
        ),
        _t(
            "Sri Wahyuni Sumarni Suwarni Lestari Sulastri Suparmi Tumini Ngatini Endang Tri Rahayu "
            "Sri Mulyani Siti Kustini Yuliati Dwi Retno Puji Wulandari Sunarsih Partini Rukmini"
        ),
        single_name_share=0.45,
    ),
    "toraja": Pool(
        _CHRIST_M + _t("Tandi Rante Lebang Paembonan Sampe Palimbong Tangdilintin"),
        _CHRIST_F + _t("Ludia Yemima Marthina Rosalina Pongsiri"),
        surnames=_t(
            "Rante Tandirerung Paembonan Sampe Palimbong Tangdilintin Lebang Pongsapan "
            "Bararuallo Kombong Allo Patandean"
        ),
        single_name_share=0.05,
        muslim=False,
    ),
    "timor": Pool(
        _CHRIST_M + _t("Yoseph Florianus Marselinus Kornelis Yakob Aloysius Bernardus"),
        _CHRIST_F + _t("Yosefina Florentina Maria Goreti Bernadeta Kornelia Imelda"),
        surnames=_t("Nahak Seran Bria Tefa Mau Kolo Bere Nenobais Taek Klau Lake Asa Neno Manek"),
        single_name_share=0.02,
        muslim=False,
    ),
    "tionghoa": Pool(
        _t("Hendra Wijaya Budi Santoso Rudy Hartono Kevin William Steven Jimmy Edward Hengki Andi"),
        _t("Lina Susanti Mei Ling Lily Wendy Fenny Jessica Vivian Cindy Linda Yenny"),
        surnames=_t("Wijaya Halim Tanuwijaya Gunawan Santoso Hartono Salim Tanoto Setiadi Lim Tan"),
        single_name_share=0.0,
        muslim=False,
    ),
}

#: How often a Muslim name is written with a Muhammad variant, and which ones occur.
MUHAMMAD_VARIANTS = ("Muhammad", "Muh.", "Moh.", "Moch.", "M.", "Mohamad", "Mochammad", "Muhamad")
HONORIFIC_MALE = ("H.", "Drs.", "Ir.")
HONORIFIC_FEMALE = ("Hj.", "Dra.")
TITLES_AFTER = ("S.Pd.", "S.E.", "S.H.", "A.Md.", "S.Sos.", "S.Kep.", "S.T.")
