"""Words of the web app's guards: body size limits and a busy login (``keamanan.*``)."""

ID = {
    "keamanan.too_large_upload": (
        "Berkas yang diunggah terlalu besar: batasnya {batas} MB per berkas. "
        "Pecah berkas itu atau minta admin menaikkan PADU_MAX_UPLOAD_MB."
    ),
    "keamanan.too_large_body": (
        "Isi permintaan terlalu besar: batasnya {batas} KB (unggahan berkas memakai "
        "formulir unggah, batasnya {batas_unggah} MB)."
    ),
    "keamanan.busy": (
        "Server sedang sibuk memeriksa kata sandi. Tunggu beberapa detik, lalu coba lagi."
    ),
}

EN = {
    "keamanan.too_large_upload": (
        "The uploaded file is too large: the limit is {batas} MB per file. "
        "Split the file or ask an admin to raise PADU_MAX_UPLOAD_MB."
    ),
    "keamanan.too_large_body": (
        "The request body is too large: the limit is {batas} KB (file uploads use the "
        "upload form, limited to {batas_unggah} MB)."
    ),
    "keamanan.busy": "The server is busy checking passwords. Wait a few seconds and try again.",
}
