#!/bin/sh
# Run deploy/nginx/rii-portal.conf as an unprivileged nginx on this machine, in
# front of `make serve`: https://localhost:8443 (self-signed certificate),
# http://localhost:8180, to gunicorn on 127.0.0.1:$PORT (default 8000). Everything
# lives in var/nginx/; `deploy/nginx/try-locally.sh stop` stops it.
set -eu
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
PREFIX="$ROOT/var/nginx"
PORT="${PORT:-8000}"
if [ "${1:-}" = stop ]; then
    exec nginx -p "$PREFIX" -c nginx.conf -s stop
fi
mkdir -p "$PREFIX/logs" "$PREFIX/temp"
if [ ! -f "$PREFIX/localhost.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
        -keyout "$PREFIX/localhost.key" -out "$PREFIX/localhost.pem" 2>/dev/null
fi
sed -e "s|127.0.0.1:8000|127.0.0.1:$PORT|" \
    -e "s|listen 80;|listen 8180;|; s|listen \[::\]:80;|listen [::]:8180;|" \
    -e "s|listen 443 ssl|listen 8443 ssl|; s|listen \[::\]:443 ssl|listen [::]:8443 ssl|" \
    -e "s|rii-portal.example.eu|localhost|g" \
    -e "s|/etc/letsencrypt/live/localhost/fullchain.pem|$PREFIX/localhost.pem|" \
    -e "s|/etc/letsencrypt/live/localhost/privkey.pem|$PREFIX/localhost.key|" \
    -e "s|/var/log/nginx/|$PREFIX/logs/|g" \
    -e "s|/srv/rii-portal/|$ROOT/|g" \
    -e "s|https://\$host\$request_uri|https://\$host:8443\$request_uri|" \
    deploy/nginx/rii-portal.conf > "$PREFIX/rii-portal.conf"
cat > "$PREFIX/nginx.conf" <<CONF
worker_processes 1;
pid $PREFIX/nginx.pid;
error_log $PREFIX/logs/error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $PREFIX/temp/body;
    proxy_temp_path $PREFIX/temp/proxy;
    fastcgi_temp_path $PREFIX/temp/fastcgi;
    uwsgi_temp_path $PREFIX/temp/uwsgi;
    scgi_temp_path $PREFIX/temp/scgi;
    include $PREFIX/rii-portal.conf;
}
CONF
nginx -p "$PREFIX" -c nginx.conf -t
exec nginx -p "$PREFIX" -c nginx.conf
