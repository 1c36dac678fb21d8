// The web app's one configuration file. Edit it when these files are hosted apart from the API
// (any static host): apiBaseUrl is then the API server's origin, e.g. "https://api.example.com",
// and that server lists this site's origin in CORS_ALLOWED_ORIGINS. Served by Django, the page
// takes WEBAPP_API_BASE_URL from the server instead, and an empty value means "this same server".
window.MOCK_INTERVIEWER_CONFIG = {
  apiBaseUrl: "",
  // How dictated answers become text: "auto" uses the browser's own speech recognition where it
  // exists (Chrome, Edge, Safari) and otherwise records and sends the audio to the server
  // (POST /api/transcriptions/); "server" always records; "browser" never records.
  dictation: "auto",
};
