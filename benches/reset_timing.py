"""Median time of 20 password-reset requests for an address with an account
and for one without, on a running portal: the two must not differ (no
account enumeration by timing). Usage: start the portal (e.g.
DEVPORTAL_DATABASE_URL=sqlite:///tmp/t/d.db DEVPORTAL_BIND=127.0.0.1:18080
cargo run --release), then `python3 benches/reset_timing.py [BASE_URL]`."""
import http.cookiejar, urllib.request, urllib.parse, re, time, statistics, sys
base=sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18080"
def browser():
    cj=http.cookiejar.CookieJar()
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self,*a,**k): return None
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj), NoRedirect)
def csrf(op, path):
    html=op.open(base+path).read().decode()
    return re.search(r'name="csrf_token" value="([^"]+)"',html).group(1)
def post(op, path, fields):
    data=urllib.parse.urlencode(fields).encode()
    try: return op.open(base+path, data)
    except urllib.error.HTTPError as e: return e
op=browser()
t=csrf(op,"/signup")
post(op,"/signup",{"csrf_token":t,"first_name":"Anna","last_name":"Svensson","email":"anna@example.se","organization":"X AB","country":"SE","phone":"","password":"correct horse battery staple","password_confirmation":"correct horse battery staple","accept_privacy":"yes","accept_terms":"yes"})
def measure(email, n=20):
    op=browser(); t=csrf(op,"/password/forgot"); out=[]
    for _ in range(n):
        s=time.perf_counter(); post(op,"/password/forgot",{"csrf_token":t,"email":email}); out.append((time.perf_counter()-s)*1000)
    return statistics.median(out)
for r in range(2):
    print("known %.2f ms  unknown %.2f ms" % (measure("anna@example.se"), measure("nobody@example.se")))
