"""Demo content for `manage.py seed_demo`: original text written for this project.

Every story, person and quote below is invented; places are real cities only to make the
datelines look like a newsroom's. Keys are slugs and usernames, so seeding twice finds what the
first run created instead of adding copies.
"""

from __future__ import annotations

from typing import TypedDict


class DemoUser(TypedDict):
    username: str
    password: str
    group: str | None
    is_superuser: bool
    first_name: str
    last_name: str


class DemoPhoto(TypedDict):
    label: str
    colors: tuple[str, str]
    caption: str
    credit: str
    alt_text: str


class DemoRelated(TypedDict, total=False):
    target: str  # slug of another demo article
    url: str
    title: str
    after_paragraph: int


class DemoArticle(TypedDict, total=False):
    slug: str
    headline: str
    dek: str
    dateline: str
    section: str
    language: str
    authors: list[str]
    tags: list[str]
    # "published" (with `hours_ago`), "scheduled" (with `hours_ahead`), "in_review" or "draft".
    status: str
    hours_ago: int
    hours_ahead: int
    created_by: str
    paragraphs: list[str]
    photo: DemoPhoto
    inline_photo: DemoPhoto
    inline_after: int
    related: list[DemoRelated]


# Demo logins: documented in README.md and printed by seed_demo. For local use only; the
# command refuses to run with DEBUG off unless forced.
DEMO_USERS: list[DemoUser] = [
    {
        "username": "admin",
        "password": "admin-demo-2026",
        "group": None,
        "is_superuser": True,
        "first_name": "Admin",
        "last_name": "Demo",
    },
    {
        "username": "editor",
        "password": "editor-demo-2026",
        "group": "Editor",
        "is_superuser": False,
        "first_name": "Yusuf",
        "last_name": "Rahardian",
    },
    {
        "username": "writer",
        "password": "writer-demo-2026",
        "group": "Writer",
        "is_superuser": False,
        "first_name": "Rani",
        "last_name": "Wulandari",
    },
]

SECTIONS = [
    # (slug, name, description)
    ("nasional", "Nasional", "Berita dari seluruh Indonesia."),
    ("daerah", "Daerah", "Kabar kota dan kabupaten."),
    ("ekonomi", "Ekonomi", "Harga, usaha kecil, dan pekerjaan."),
    ("olahraga", "Olahraga", "Kompetisi, klub, dan olahraga warga."),
    ("sains-teknologi", "Sains & Teknologi", "Riset, inovasi, dan teknologi sehari-hari."),
]

AUTHORS = [
    # (slug, name, bio, linked demo username or None)
    (
        "rani-wulandari",
        "Rani Wulandari",
        "Wartawan biro Bandung; menulis soal lingkungan dan kota.",
        "writer",
    ),
    (
        "yusuf-rahardian",
        "Yusuf Rahardian",
        "Redaktur pelaksana desk Nasional.",
        "editor",
    ),
    ("bima-prasetyo", "Bima Prasetyo", "Meliput ekonomi rakyat dan pasar tradisional.", None),
    ("sekar-ayuningtyas", "Sekar Ayuningtyas", "Wartawan olahraga, penggemar voli.", None),
    ("dimas-hutapea", "Dimas Hutapea", "Kontributor Sumatera Utara, tinggal di Medan.", None),
    (
        "laras-maharani",
        "Laras Maharani",
        "Science and technology reporter for the English desk.",
        None,
    ),
]

# Tags that are not plain topics; every other tag gets the kind "topic".
TAG_KINDS = {
    "Bandung": "place",
    "Jakarta": "place",
    "Surabaya": "place",
    "Medan": "place",
    "Danau Toba": "place",
    "Yogyakarta": "place",
    "Semarang": "place",
    "Bali": "place",
    "Makassar": "place",
    "Kejurnas Voli 2026": "event",
    "Festival Kuliner Toba": "event",
}

ARTICLES: list[DemoArticle] = [
    {
        "slug": "warga-cibeunying-tanam-pohon-bantaran-cikapundung",
        "headline": "Warga Cibeunying Tanam 2.000 Pohon di Bantaran Sungai Cikapundung",
        "dek": "Gerakan yang dimulai dari satu RW kini diikuti sebelas kelurahan.",
        "dateline": "BANDUNG",
        "section": "daerah",
        "language": "id",
        "authors": ["rani-wulandari"],
        "tags": ["Bandung", "lingkungan", "sungai"],
        "status": "published",
        "hours_ago": 2,
        "created_by": "writer",
        "paragraphs": [
            "Sekitar empat ratus warga Kecamatan Cibeunying Kaler turun ke bantaran Sungai "
            "Cikapundung pada Minggu pagi. Mereka menanam dua ribu bibit pohon di sepanjang tiga "
            "kilometer tepian sungai yang selama ini gundul.",
            "Bibit yang ditanam antara lain trembesi, bambu, dan beringin. Menurut panitia, "
            "jenis pohon itu dipilih karena akarnya kuat menahan tanah saat debit sungai naik "
            "di musim hujan.",
            "\u201cDulu kami hanya membersihkan sampah setiap bulan. Sekarang kami ingin "
            "tepian sungai ini hijau lagi seperti waktu kami kecil,\u201d kata Hendra Gunawan, "
            "ketua RW yang memulai gerakan ini dua tahun lalu.",
            "Kegiatan tersebut kini diikuti sebelas kelurahan. Setiap kelurahan bertanggung "
            "jawab merawat bibit di wilayahnya selama setahun pertama, termasuk menyiram saat "
            "kemarau.",
            "Pengurus karang taruna menyiapkan aplikasi sederhana untuk mencatat kondisi setiap "
            "pohon. Warga cukup memotret bibit dan menandai lokasinya agar perkembangannya bisa "
            "dipantau bersama.",
        ],
        "photo": {
            "label": "CIKAPUNDUNG",
            "colors": ("#1f6f43", "#9bd18b"),
            "caption": "Warga menanam bibit trembesi di bantaran Sungai Cikapundung, Bandung, "
            "Minggu pagi.",
            "credit": "Foto: Galih Permana/Newsroom",
            "alt_text": "Warga berjongkok menanam bibit pohon di tepi sungai yang berbatu.",
        },
        "related": [
            {"target": "mahasiswa-yogyakarta-rancang-sensor-banjir", "after_paragraph": 2},
            {"target": "perpustakaan-keliling-digital-40-sekolah", "after_paragraph": 3},
        ],
    },
    {
        "slug": "harga-cabai-rawit-turun-menjelang-panen-raya",
        "headline": "Harga Cabai Rawit Turun Menjelang Panen Raya di Jawa Tengah",
        "dek": "Pedagang di pasar induk mencatat penurunan hampir sepertiga dalam dua pekan.",
        "dateline": "JAKARTA",
        "section": "ekonomi",
        "language": "id",
        "authors": ["bima-prasetyo"],
        "tags": ["Jakarta", "harga pangan", "pertanian"],
        "status": "published",
        "hours_ago": 5,
        "created_by": "writer",
        "paragraphs": [
            "Harga cabai rawit merah di sejumlah pasar induk mulai turun dalam dua pekan "
            "terakhir. Pedagang menyebut pasokan dari sentra produksi di Jawa Tengah meningkat "
            "menjelang panen raya.",
            "Di salah satu pasar induk di Jakarta Timur, harga cabai rawit yang sebelumnya "
            "mencapai Rp 75.000 per kilogram kini berkisar Rp 50.000. Penurunan serupa terjadi "
            "pada cabai keriting.",
            "\u201cTruk dari Magelang dan Temanggung datang hampir setiap malam. Barang banyak, "
            "jadi harga ikut turun,\u201d ujar Sulastri, pedagang yang sudah lima belas tahun "
            "berjualan di pasar tersebut.",
            "Meski begitu, sebagian pedagang eceran belum menurunkan harga karena masih "
            "menjual stok lama. Mereka memperkirakan harga di tingkat konsumen baru ikut turun "
            "pekan depan.",
            "Petani berharap penurunan harga tidak terlalu tajam. Biaya pupuk dan tenaga "
            "petik, kata mereka, tidak ikut turun ketika panen melimpah.",
        ],
        "photo": {
            "label": "CABAI RAWIT",
            "colors": ("#8f1d1d", "#f2a65a"),
            "caption": "Pedagang menata cabai rawit di lapak pasar induk, Jakarta Timur.",
            "credit": "Foto: Andi Saputra/Newsroom",
            "alt_text": "Tumpukan cabai rawit merah di atas meja pedagang pasar.",
        },
        "related": [
            {"target": "koperasi-nelayan-semarang-jual-ikan-lewat-aplikasi", "after_paragraph": 2}
        ],
    },
    {
        "slug": "tim-voli-putri-jawa-timur-melaju-ke-final-kejurnas",
        "headline": "Tim Voli Putri Jawa Timur Melaju ke Final Kejurnas",
        "dek": "Setelah tertinggal dua set, Jawa Timur membalikkan keadaan di depan publik "
        "sendiri.",
        "dateline": "SURABAYA",
        "section": "olahraga",
        "language": "id",
        "authors": ["sekar-ayuningtyas", "rani-wulandari"],
        "tags": ["Surabaya", "voli", "Kejurnas Voli 2026"],
        "status": "published",
        "hours_ago": 9,
        "created_by": "writer",
        "paragraphs": [
            "Tim voli putri Jawa Timur memastikan satu tempat di final Kejuaraan Nasional "
            "setelah menang 3-2 atas Sulawesi Selatan dalam laga semifinal yang berlangsung "
            "hampir dua setengah jam.",
            "Bermain di hadapan sekitar tiga ribu penonton, Jawa Timur sempat tertinggal 0-2. "
            "Pelatih kemudian memasukkan pemain muda Dewi Kartika yang langsung memperbaiki "
            "penerimaan bola.",
            "\u201cSaya hanya diminta tenang dan fokus ke servis lawan. Teman-teman yang "
            "menyelesaikan sisanya,\u201d kata Dewi seusai pertandingan.",
            "Jawa Timur merebut tiga set berikutnya dengan skor 25-21, 25-23, dan 15-12. "
            "Serangan cepat dari posisi tengah menjadi senjata utama pada set penentuan.",
            "Di final, Jawa Timur akan menghadapi pemenang laga antara Jawa Barat dan DKI "
            "Jakarta. Pertandingan final dijadwalkan Sabtu malam di gelanggang yang sama.",
            "Panitia menyebut tiket final sudah habis terjual sejak Kamis. Layar besar akan "
            "dipasang di halaman gelanggang bagi penonton yang tidak kebagian tempat.",
        ],
        "photo": {
            "label": "VOLI PUTRI",
            "colors": ("#12355b", "#e8a33d"),
            "caption": "Pemain Jawa Timur merayakan poin penentu pada set kelima semifinal "
            "Kejurnas Voli di Surabaya.",
            "credit": "Foto: Nadia Kirana/Newsroom",
            "alt_text": "Para pemain voli putri berpelukan di tengah lapangan setelah poin "
            "terakhir.",
        },
        "related": [
            {"target": "festival-kuliner-danau-toba-120-umkm", "after_paragraph": 3},
        ],
    },
    {
        "slug": "perpustakaan-keliling-digital-40-sekolah",
        "headline": "Perpustakaan Keliling Digital Menjangkau 40 Sekolah di Daerah Terpencil",
        "dek": "Mobil perpustakaan membawa tablet berisi ribuan buku yang bisa dibaca tanpa "
        "sinyal internet.",
        "dateline": "JAKARTA",
        "section": "nasional",
        "language": "id",
        "authors": ["yusuf-rahardian"],
        "tags": ["pendidikan", "literasi"],
        "status": "published",
        "hours_ago": 20,
        "created_by": "editor",
        "paragraphs": [
            "Program perpustakaan keliling digital yang digagas sebuah yayasan pendidikan kini "
            "menjangkau empat puluh sekolah dasar di daerah terpencil. Setiap mobil membawa "
            "tiga puluh tablet berisi sekitar lima ribu buku anak.",
            "Buku-buku tersebut tersimpan di dalam tablet sehingga bisa dibaca tanpa sinyal "
            "internet. Koleksi diperbarui setiap kali mobil kembali ke kantor yayasan.",
            "\u201cBanyak murid baru pertama kali membaca buku cerita bergambar yang berwarna. "
            "Mereka berebut giliran,\u201d tutur Maria Lestari, relawan yang ikut berkeliling "
            "sejak program dimulai.",
            "Selain meminjamkan tablet, relawan melatih guru untuk memandu kegiatan membaca "
            "bersama. Guru juga mendapat modul sederhana untuk mengukur kemampuan baca murid.",
            "Yayasan berencana menambah dua mobil tahun depan agar jadwal kunjungan ke setiap "
            "sekolah bisa menjadi dua kali sebulan.",
        ],
        "photo": {
            "label": "PERPUSTAKAAN",
            "colors": ("#4b2e83", "#f6c667"),
            "caption": "Murid sekolah dasar membaca buku digital di samping mobil perpustakaan "
            "keliling.",
            "credit": "Foto: Andi Saputra/Newsroom",
            "alt_text": "Anak-anak berseragam duduk di tikar sambil memegang tablet.",
        },
        "related": [
            {"target": "warga-cibeunying-tanam-pohon-bantaran-cikapundung", "after_paragraph": 2}
        ],
    },
    {
        "slug": "festival-kuliner-danau-toba-120-umkm",
        "headline": "Festival Kuliner Danau Toba Hadirkan 120 Pelaku UMKM",
        "dek": "Naniura, arsik, dan kopi Lintong menjadi menu yang paling dicari pengunjung.",
        "dateline": "MEDAN",
        "section": "daerah",
        "language": "id",
        "authors": ["dimas-hutapea", "bima-prasetyo"],
        "tags": ["Medan", "Danau Toba", "UMKM", "Festival Kuliner Toba", "kuliner"],
        "status": "published",
        "hours_ago": 26,
        "created_by": "writer",
        "paragraphs": [
            "Sebanyak 120 pelaku usaha mikro, kecil, dan menengah ambil bagian dalam Festival "
            "Kuliner Danau Toba yang dibuka Jumat sore. Festival berlangsung tiga hari di "
            "lapangan terbuka tepi danau.",
            "Panitia membagi stan menurut asal kabupaten sehingga pengunjung dapat mencicipi "
            "masakan khas dari setiap daerah di sekitar danau dalam satu lokasi.",
            "Naniura, arsik ikan mas, dan kopi Lintong menjadi menu yang paling banyak dicari. "
            "Beberapa stan kehabisan bahan sebelum malam pertama berakhir.",
            "\u201cTahun lalu saya membawa lima puluh porsi. Sekarang dua ratus porsi pun habis "
            "sebelum jam delapan,\u201d kata Rosmawati Sinaga, pemilik warung arsik dari "
            "Balige.",
            "Panitia menyediakan pembayaran nontunai di setiap stan. Menurut mereka, cara itu "
            "memudahkan pedagang mencatat penjualan dan mengajukan pinjaman usaha.",
        ],
        "photo": {
            "label": "DANAU TOBA",
            "colors": ("#0b4f6c", "#01baef"),
            "caption": "Pengunjung memadati stan kuliner di tepi Danau Toba pada malam pertama "
            "festival.",
            "credit": "Foto: Galih Permana/Newsroom",
            "alt_text": "Deretan tenda kuliner berlampu di tepi danau saat senja.",
        },
        "related": [
            {"target": "harga-cabai-rawit-turun-menjelang-panen-raya", "after_paragraph": 2},
            {"target": "tim-voli-putri-jawa-timur-melaju-ke-final-kejurnas", "after_paragraph": 3},
        ],
    },
    {
        "slug": "mahasiswa-yogyakarta-rancang-sensor-banjir",
        "headline": "Mahasiswa Yogyakarta Rancang Sensor Murah Pendeteksi Banjir",
        "dek": "Alat seharga di bawah Rp 500.000 itu mengirim peringatan lewat pesan singkat.",
        "dateline": "YOGYAKARTA",
        "section": "sains-teknologi",
        "language": "id",
        "authors": ["laras-maharani", "rani-wulandari"],
        "tags": ["Yogyakarta", "banjir", "inovasi"],
        "status": "published",
        "hours_ago": 30,
        "created_by": "writer",
        "paragraphs": [
            "Tiga mahasiswa teknik di Yogyakarta merancang sensor pendeteksi banjir yang bisa "
            "dirakit dengan biaya kurang dari Rp 500.000. Alat itu dipasang di jembatan dan "
            "mengukur tinggi muka air setiap menit.",
            "Ketika air naik melewati batas yang ditentukan, sensor mengirim pesan singkat ke "
            "ketua RT dan relawan di kampung sekitar sungai. Pesan dikirim ulang setiap "
            "sepuluh menit selama air masih tinggi.",
            "\u201cKami ingin alat yang bisa diperbaiki sendiri oleh warga. Semua komponennya "
            "dijual di toko elektronik biasa,\u201d kata Fajar Nugroho, salah satu perancang.",
            "Prototipe pertama sudah diuji selama satu musim hujan di dua kampung. Warga "
            "menyebut peringatan datang rata-rata empat puluh menit sebelum air masuk ke "
            "permukiman.",
            "Tim kini menyiapkan panduan perakitan dalam bahasa Indonesia dan berencana "
            "membagikannya secara terbuka.",
            "Mereka juga sedang menguji panel surya kecil agar sensor tetap menyala ketika "
            "listrik padam saat banjir.",
        ],
        "photo": {
            "label": "SENSOR BANJIR",
            "colors": ("#1b3a4b", "#65a8c4"),
            "caption": "Prototipe sensor pendeteksi banjir terpasang di pagar jembatan kampung "
            "di Yogyakarta.",
            "credit": "Foto: Nadia Kirana/Newsroom",
            "alt_text": "Kotak plastik kecil dengan antena terikat pada pagar besi jembatan.",
        },
        "inline_photo": {
            "label": "UJI COBA",
            "colors": ("#2d3142", "#bfc0c0"),
            "caption": "Mahasiswa memeriksa data tinggi muka air di laptop saat uji coba alat.",
            "credit": "Foto: Nadia Kirana/Newsroom",
            "alt_text": "Dua mahasiswa menatap grafik di layar laptop di tepi sungai.",
        },
        "inline_after": 3,
        "related": [
            {
                "url": "https://example.org/panduan-sensor-banjir",
                "title": "Panduan merakit sensor banjir sederhana",
                "after_paragraph": 2,
            },
            {"target": "warga-cibeunying-tanam-pohon-bantaran-cikapundung", "after_paragraph": 3},
        ],
    },
    {
        "slug": "koperasi-nelayan-semarang-jual-ikan-lewat-aplikasi",
        "headline": "Koperasi Nelayan Semarang Mulai Jual Ikan Lewat Aplikasi",
        "dek": "Pembeli memesan pada malam hari, ikan diantar pagi setelah kapal merapat.",
        "dateline": "SEMARANG",
        "section": "ekonomi",
        "language": "id",
        "authors": ["bima-prasetyo"],
        "tags": ["Semarang", "nelayan", "UMKM"],
        "status": "published",
        "hours_ago": 50,
        "created_by": "writer",
        "paragraphs": [
            "Koperasi nelayan di pesisir utara Semarang mulai menjual hasil tangkapan melalui "
            "aplikasi pesan antar. Sejak diluncurkan bulan lalu, koperasi menerima rata-rata "
            "delapan puluh pesanan per hari.",
            "Pembeli memesan pada malam hari. Ikan diantar keesokan pagi, tidak lama setelah "
            "kapal merapat dan hasil tangkapan ditimbang di tempat pelelangan.",
            "\u201cDulu harga ditentukan tengkulak. Sekarang kami tahu siapa pembelinya dan "
            "berapa yang mereka bayar,\u201d ujar Slamet Riyadi, ketua koperasi.",
            "Koperasi mempekerjakan enam anak muda dari kampung nelayan sebagai kurir dan "
            "pengelola aplikasi. Sebagian keuntungan disisihkan untuk perawatan kapal anggota.",
        ],
        "photo": {
            "label": "NELAYAN",
            "colors": ("#023e7d", "#7fc8f8"),
            "caption": "Anggota koperasi menimbang ikan sebelum dikemas untuk pesanan pagi di "
            "Semarang.",
            "credit": "Foto: Andi Saputra/Newsroom",
            "alt_text": "Nelayan menimbang ikan di atas timbangan di dermaga.",
        },
        "related": [
            {"target": "harga-cabai-rawit-turun-menjelang-panen-raya", "after_paragraph": 3}
        ],
    },
    {
        "slug": "rencana-lintasan-sepeda-bandung-utara",
        "headline": "Rencana Lintasan Sepeda Baru di Bandung Utara",
        "dek": "Komunitas pesepeda mengusulkan jalur sepanjang 18 kilometer.",
        "dateline": "BANDUNG",
        "section": "olahraga",
        "language": "id",
        "authors": ["rani-wulandari"],
        "tags": ["Bandung", "bersepeda"],
        "status": "draft",
        "created_by": "writer",
        "paragraphs": [
            "Komunitas pesepeda di Bandung mengusulkan lintasan sepeda baru sepanjang delapan "
            "belas kilometer di kawasan utara kota. Usulan itu disampaikan dalam pertemuan "
            "dengan pengurus kecamatan pekan lalu.",
            "Lintasan yang diusulkan memanfaatkan jalan desa dan jalur perkebunan yang sudah "
            "ada, sehingga tidak memerlukan pembukaan lahan baru.",
            "\u201cKami ingin jalur yang aman untuk keluarga, bukan hanya untuk atlet,\u201d "
            "kata Yoga Pratama, koordinator komunitas.",
            "Catatan redaksi: menunggu tanggapan pengurus kecamatan sebelum diterbitkan.",
        ],
        "photo": {
            "label": "LINTASAN SEPEDA",
            "colors": ("#3a5a40", "#dad7cd"),
            "caption": "Pesepeda melintasi jalan perkebunan di kawasan Bandung utara.",
            "credit": "Foto: Galih Permana/Newsroom",
            "alt_text": "Dua pesepeda menanjak di jalan kecil di antara kebun teh.",
        },
        "related": [
            {"target": "tim-voli-putri-jawa-timur-melaju-ke-final-kejurnas", "after_paragraph": 2}
        ],
    },
    {
        "slug": "musim-hujan-diperkirakan-datang-lebih-awal",
        "headline": "Musim Hujan Diperkirakan Datang Lebih Awal Tahun Ini",
        "dek": "Warga di bantaran sungai diminta membersihkan saluran sejak sekarang.",
        "dateline": "JAKARTA",
        "section": "nasional",
        "language": "id",
        "authors": ["yusuf-rahardian", "rani-wulandari"],
        "tags": ["Jakarta", "cuaca", "banjir"],
        "status": "in_review",
        "created_by": "writer",
        "paragraphs": [
            "Musim hujan di sebagian besar wilayah Jawa diperkirakan datang dua hingga tiga "
            "pekan lebih awal dibanding rata-rata. Perkiraan itu disampaikan para prakirawan "
            "dalam diskusi publik di Jakarta, Selasa.",
            "Menurut mereka, suhu permukaan laut yang lebih hangat membuat awan hujan terbentuk "
            "lebih cepat. Hujan lebat juga diperkirakan lebih sering terjadi pada sore hari.",
            "Warga di bantaran sungai diminta mulai membersihkan saluran air dan memeriksa "
            "tanggul kecil di lingkungan masing-masing.",
            "\u201cPersiapan paling murah adalah saluran yang bersih. Itu bisa dikerjakan warga "
            "bersama akhir pekan ini,\u201d kata seorang prakirawan dalam diskusi tersebut.",
        ],
        "photo": {
            "label": "MUSIM HUJAN",
            "colors": ("#22313f", "#8fa9bf"),
            "caption": "Awan gelap menggantung di atas gedung-gedung Jakarta menjelang sore.",
            "credit": "Foto: Andi Saputra/Newsroom",
            "alt_text": "Langit kelabu dan awan tebal di atas deretan gedung tinggi.",
        },
        "related": [{"target": "mahasiswa-yogyakarta-rancang-sensor-banjir", "after_paragraph": 2}],
    },
    {
        "slug": "volunteers-map-jakarta-street-trees",
        "headline": "Volunteers Map Jakarta's Street Trees With a Phone App",
        "dek": "More than 30,000 trees have been logged so far, each with a photo and a "
        "health note.",
        "dateline": "JAKARTA",
        "section": "sains-teknologi",
        "language": "en",
        "authors": ["laras-maharani"],
        "tags": ["Jakarta", "urban trees", "citizen science"],
        "status": "published",
        "hours_ago": 3,
        "created_by": "editor",
        "paragraphs": [
            "A group of weekend volunteers has logged more than 30,000 street trees across "
            "Jakarta using a free phone app, building what they say is the most detailed public "
            "map of the city's shade.",
            "Each entry records the species, an estimate of the trunk's width and a photo. "
            "Volunteers also flag trees that look sick or lean dangerously over the road.",
            "\u201cPeople walk past the same tree every day without knowing its name. Once "
            "they map it, they start to care about it,\u201d said Intan Permatasari, one of the "
            "organisers.",
            "The group shares the data with neighbourhood offices, which use the warnings about "
            "leaning trees to decide where to prune first before the rainy season.",
            "Organisers hope to reach 50,000 trees by the end of the year and are recruiting "
            "students to survey the city's eastern districts.",
        ],
        "photo": {
            "label": "STREET TREES",
            "colors": ("#2d6a4f", "#b7e4c7"),
            "caption": "A volunteer photographs a rain tree on a Jakarta pavement for the "
            "city-wide map.",
            "credit": "Foto: Nadia Kirana/Newsroom",
            "alt_text": "A woman holds up a phone to photograph the trunk of a large tree.",
        },
        "related": [{"target": "bali-coffee-growers-shade-farming", "after_paragraph": 2}],
    },
    {
        "slug": "bali-coffee-growers-shade-farming",
        "headline": "Bali Coffee Growers Turn to Shade Farming as Rains Shift",
        "dek": "Farmers in the highlands plant citrus and legumes between coffee rows to keep "
        "soil moist.",
        "dateline": "DENPASAR",
        "section": "ekonomi",
        "language": "en",
        "authors": ["bima-prasetyo", "laras-maharani"],
        "tags": ["Bali", "coffee", "pertanian"],
        "status": "published",
        "hours_ago": 7,
        "created_by": "editor",
        "paragraphs": [
            "Coffee farmers in Bali's central highlands are planting citrus trees and legumes "
            "between their coffee rows, hoping the extra shade will protect crops from rains "
            "that have grown harder to predict.",
            "Growers say dry spells now arrive in the middle of what used to be the wet season, "
            "stressing young coffee cherries just as they begin to ripen.",
            "\u201cThe orange trees give us shade and a second harvest. If the coffee is weak "
            "one year, the oranges still pay for school fees,\u201d said Made Sudiarta, who "
            "farms two hectares near the crater lakes.",
            "A cooperative of about 300 farmers runs a nursery that sells seedlings at cost. "
            "Members also share tools for pruning and terracing.",
            "Buyers from Jakarta cafes have begun visiting the cooperative directly, paying a "
            "premium for beans grown under shade.",
        ],
        "photo": {
            "label": "KOPI BALI",
            "colors": ("#5a3825", "#d4a373"),
            "caption": "Coffee cherries ripen under citrus trees on a farm in Bali's central "
            "highlands.",
            "credit": "Foto: Galih Permana/Newsroom",
            "alt_text": "Red coffee cherries on a branch with orange trees in the background.",
        },
        "related": [
            {"target": "volunteers-map-jakarta-street-trees", "after_paragraph": 3},
            {
                "url": "https://example.org/shade-grown-coffee-handbook",
                "title": "Shade-grown coffee: a handbook for smallholders",
                "after_paragraph": 2,
            },
        ],
    },
    {
        "slug": "badminton-academy-free-courts-neighbourhood-kids",
        "headline": "Badminton Academy Opens Free Courts for Neighbourhood Kids",
        "dek": "Two mornings a week, children from nearby kampongs train with the academy's "
        "coaches.",
        "dateline": "JAKARTA",
        "section": "olahraga",
        "language": "en",
        "authors": ["sekar-ayuningtyas", "laras-maharani"],
        "tags": ["Jakarta", "badminton", "youth sport"],
        "status": "published",
        "hours_ago": 28,
        "created_by": "editor",
        "paragraphs": [
            "A private badminton academy in East Jakarta has opened its courts free of charge "
            "to children from surrounding neighbourhoods two mornings a week.",
            "About 90 children aged eight to fourteen have signed up. The academy lends rackets "
            "and shoes, and its coaches run the same drills they use with paying students.",
            "\u201cTalent is everywhere in these alleys. What is missing is a court with a roof "
            "and someone to show them the footwork,\u201d said head coach Rudy Hartanto.",
            "Parents take turns bringing breakfast for the group, and older players help the "
            "youngest ones with their grip and serve.",
            "The academy plans to pick ten children each year for a full scholarship that "
            "covers regional tournament fees.",
            "Sessions run on Saturday and Sunday mornings; registration is open at the "
            "academy's front desk.",
        ],
        "photo": {
            "label": "BADMINTON",
            "colors": ("#003049", "#fcbf49"),
            "caption": "Children practise footwork drills at a badminton academy in East Jakarta.",
            "credit": "Foto: Nadia Kirana/Newsroom",
            "alt_text": "A row of children in sports clothes lunging with rackets on a court.",
        },
        "related": [{"target": "makassar-ferry-terminal-night-crossings", "after_paragraph": 2}],
    },
    {
        "slug": "makassar-ferry-terminal-night-crossings",
        "headline": "Makassar Ferry Terminal Adds Night Crossings for Holiday Travel",
        "dek": "Three extra sailings a night aim to shorten queues at the harbour gates.",
        "dateline": "MAKASSAR",
        "section": "nasional",
        "language": "en",
        "authors": ["yusuf-rahardian"],
        "tags": ["Makassar", "transport", "holiday travel"],
        "status": "published",
        "hours_ago": 47,
        "created_by": "editor",
        "paragraphs": [
            "The ferry terminal in Makassar will add three night crossings during the holiday "
            "season, the port operator said, after queues at the harbour gates stretched for "
            "hours last year.",
            "The extra sailings leave between 10 p.m. and 2 a.m. Tickets go on sale online a "
            "week ahead, and a share of seats is kept for travellers buying at the counter.",
            "\u201cWe would rather run more boats at night than make families wait in the sun "
            "all afternoon,\u201d said operations manager Andi Baso.",
            "The operator is also adding shaded waiting areas and a second loading lane for "
            "motorcycles, which made up most of last year's queue.",
        ],
        "photo": {
            "label": "PELABUHAN",
            "colors": ("#14213d", "#4ea8de"),
            "caption": "A ferry leaves the Makassar terminal at dusk during a trial night "
            "crossing.",
            "credit": "Foto: Andi Saputra/Newsroom",
            "alt_text": "A white passenger ferry with its lights on sailing out of a harbour at "
            "dusk.",
        },
        "related": [
            {"target": "badminton-academy-free-courts-neighbourhood-kids", "after_paragraph": 3}
        ],
    },
    {
        "slug": "surabaya-night-market-returns-old-town",
        "headline": "Surabaya Night Market Returns to the Old Town",
        "dek": "Street food, batik and live keroncong every Friday and Saturday night.",
        "dateline": "SURABAYA",
        "section": "daerah",
        "language": "en",
        "authors": ["dimas-hutapea", "sekar-ayuningtyas"],
        "tags": ["Surabaya", "night market", "kuliner"],
        "status": "scheduled",
        "hours_ahead": 36,
        "created_by": "editor",
        "paragraphs": [
            "The night market in Surabaya's old town returns this weekend after a two-year "
            "break, with about 150 stalls lining the streets around the old post office.",
            "Organisers say the market will run every Friday and Saturday from 6 p.m. to "
            "midnight, with the main road closed to cars during those hours.",
            "Food stalls will sit alongside batik sellers and second-hand booksellers, and a "
            "small stage will host keroncong bands each night.",
            "\u201cThe old buildings are beautiful at night. We want people to come back and "
            "walk here again,\u201d said Lina Wijaya of the traders' association.",
            "Visitors are asked to use the park-and-ride stops on the edge of the old town, "
            "where shuttle buses will run every fifteen minutes.",
        ],
        "photo": {
            "label": "PASAR MALAM",
            "colors": ("#6a040f", "#ffba08"),
            "caption": "Stalls are set up along the old town streets of Surabaya ahead of the "
            "night market's return.",
            "credit": "Foto: Galih Permana/Newsroom",
            "alt_text": "Rows of food stalls under string lights beside a colonial-era building.",
        },
        "related": [{"target": "volunteers-map-jakarta-street-trees", "after_paragraph": 2}],
    },
]
