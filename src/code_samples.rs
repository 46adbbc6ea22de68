//! Code samples for one API call in curl, Python (requests), JavaScript
//! (fetch), Java (java.net.http) and C# (HttpClient), all written from the
//! same [`Call`], so they cannot drift apart. The access token comes from
//! the `ACCESS_TOKEN` environment variable and every call gets a new
//! X-Request-ID, as the APIs ask.

/// One HTTP call as the documentation shows it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The full URL, query string included.
    pub url: String,
    /// Headers besides Authorization and X-Request-ID (the samples add those).
    pub headers: Vec<(String, String)>,
    /// A JSON body, pretty-printed.
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Sample {
    /// `curl`, `python`, `javascript`, `java`, `csharp`: ids and tab names.
    pub lang: &'static str,
    pub label: &'static str,
    pub code: String,
}

pub fn all(call: &Call) -> Vec<Sample> {
    vec![
        Sample {
            lang: "curl",
            label: "curl",
            code: curl(call),
        },
        Sample {
            lang: "python",
            label: "Python",
            code: python(call),
        },
        Sample {
            lang: "javascript",
            label: "JavaScript",
            code: javascript(call),
        },
        Sample {
            lang: "java",
            label: "Java",
            code: java(call),
        },
        Sample {
            lang: "csharp",
            label: "C#",
            code: csharp(call),
        },
    ]
}

/// A string literal in the C family's syntax (Python, JavaScript, Java, C#
/// all read these escapes the same way).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Single-quoted for a POSIX shell.
fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn compact_json(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| body.to_string())
}

pub fn curl(c: &Call) -> String {
    let mut lines = vec![format!("curl -X {} {}", c.method, shell(&c.url))];
    lines.push("  -H \"Authorization: Bearer $ACCESS_TOKEN\"".into());
    lines.push("  -H \"X-Request-ID: $(uuidgen)\"".into());
    for (k, v) in &c.headers {
        lines.push(format!("  -H {}", shell(&format!("{k}: {v}"))));
    }
    if let Some(body) = &c.body {
        lines.push("  -H 'Content-Type: application/json'".into());
        lines.push(format!("  -d {}", shell(&compact_json(body))));
    }
    // Every line but the last continues: no lone backslash at the end.
    lines.join(" \\\n")
}

pub fn python(c: &Call) -> String {
    let mut headers = vec![
        "    \"Authorization\": \"Bearer \" + os.environ[\"ACCESS_TOKEN\"],".to_string(),
        "    \"X-Request-ID\": str(uuid.uuid4()),".to_string(),
    ];
    for (k, v) in &c.headers {
        headers.push(format!("    {}: {},", quoted(k), quoted(v)));
    }
    let mut out = String::from("import json\nimport os\nimport uuid\n\nimport requests\n\n");
    out.push_str(&format!("headers = {{\n{}\n}}\n", headers.join("\n")));
    let body = match &c.body {
        Some(b) => {
            out.push_str(&format!("body = json.loads({})\n", quoted(&compact_json(b))));
            ", json=body"
        }
        None => "",
    };
    out.push_str(&format!(
        "response = requests.request({}, {}, headers=headers{body}, timeout=30)\n",
        quoted(&c.method),
        quoted(&c.url)
    ));
    out.push_str(
        "print(response.status_code)\nprint(json.dumps(response.json(), indent=2))\nresponse.raise_for_status()\n",
    );
    out
}

pub fn javascript(c: &Call) -> String {
    let mut headers = vec![
        "    \"Authorization\": `Bearer ${process.env.ACCESS_TOKEN}`,".to_string(),
        "    \"X-Request-ID\": crypto.randomUUID(),".to_string(),
    ];
    for (k, v) in &c.headers {
        headers.push(format!("    {}: {},", quoted(k), quoted(v)));
    }
    let mut body = String::new();
    if let Some(b) = &c.body {
        headers.push("    \"Content-Type\": \"application/json\",".into());
        body = format!("\n  body: JSON.stringify({}),", compact_json(b));
    }
    format!(
        "// Node 18+ or a browser (fetch and crypto.randomUUID are built in).\n\
         const response = await fetch({}, {{\n  method: {},\n  headers: {{\n{}\n  }},{body}\n}});\n\
         console.log(response.status, await response.json());\n",
        quoted(&c.url),
        quoted(&c.method),
        headers.join("\n")
    )
}

pub fn java(c: &Call) -> String {
    let mut builder = vec![
        format!("        .uri(URI.create({}))", quoted(&c.url)),
        "        .header(\"Authorization\", \"Bearer \" + System.getenv(\"ACCESS_TOKEN\"))".to_string(),
        "        .header(\"X-Request-ID\", UUID.randomUUID().toString())".to_string(),
    ];
    for (k, v) in &c.headers {
        builder.push(format!("        .header({}, {})", quoted(k), quoted(v)));
    }
    let publisher = match &c.body {
        Some(b) => {
            builder.push("        .header(\"Content-Type\", \"application/json\")".into());
            format!("HttpRequest.BodyPublishers.ofString({})", quoted(&compact_json(b)))
        }
        None => "HttpRequest.BodyPublishers.noBody()".into(),
    };
    builder.push(format!("        .method({}, {publisher})", quoted(&c.method)));
    format!(
        "import java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\n\
         import java.net.http.HttpResponse;\nimport java.util.UUID;\n\n\
         public class Call {{\n  public static void main(String[] args) throws Exception {{\n\
         \x20   HttpRequest request = HttpRequest.newBuilder()\n{}\n        .build();\n\
         \x20   HttpResponse<String> response = HttpClient.newHttpClient()\n\
         \x20       .send(request, HttpResponse.BodyHandlers.ofString());\n\
         \x20   System.out.println(response.statusCode());\n    System.out.println(response.body());\n  }}\n}}\n",
        builder.join("\n")
    )
}

pub fn csharp(c: &Call) -> String {
    let mut lines = vec![
        "using System.Net.Http.Headers;".to_string(),
        String::new(),
        "using var client = new HttpClient();".to_string(),
        format!(
            "using var request = new HttpRequestMessage(new HttpMethod({}), {});",
            quoted(&c.method),
            quoted(&c.url)
        ),
        "request.Headers.Authorization = new AuthenticationHeaderValue(\"Bearer\", \
         Environment.GetEnvironmentVariable(\"ACCESS_TOKEN\"));"
            .to_string(),
        "request.Headers.Add(\"X-Request-ID\", Guid.NewGuid().ToString());".to_string(),
    ];
    for (k, v) in &c.headers {
        lines.push(format!("request.Headers.Add({}, {});", quoted(k), quoted(v)));
    }
    if let Some(b) = &c.body {
        lines.push(format!(
            "request.Content = new StringContent({}, System.Text.Encoding.UTF8, \"application/json\");",
            quoted(&compact_json(b))
        ));
    }
    lines.push("using var response = await client.SendAsync(request);".into());
    lines.push("Console.WriteLine((int)response.StatusCode);".into());
    lines.push("Console.WriteLine(await response.Content.ReadAsStringAsync());".into());
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call {
        Call {
            method: "POST".into(),
            url: "https://bank.example/sandbox/payments/1.0.0/Payments/domestic?x=1".into(),
            headers: vec![("PSU-IP-Address".into(), "192.0.2.10".into())],
            body: Some("{\n  \"note\": \"it's \\\"quoted\\\"\"\n}".into()),
        }
    }

    #[test]
    fn every_language_carries_the_same_method_url_headers_and_body() {
        let samples = all(&call());
        assert_eq!(
            samples.iter().map(|s| s.lang).collect::<Vec<_>>(),
            ["curl", "python", "javascript", "java", "csharp"]
        );
        for s in &samples {
            assert!(s.code.contains("POST"), "{}", s.lang);
            assert!(s.code.contains("/Payments/domestic?x=1"), "{}", s.lang);
            assert!(s.code.contains("PSU-IP-Address"), "{}", s.lang);
            assert!(s.code.contains("ACCESS_TOKEN"), "{}", s.lang);
            assert!(s.code.contains("X-Request-ID"), "{}", s.lang);
            assert!(s.code.contains("note"), "{}", s.lang);
        }
    }

    #[test]
    fn curl_quotes_for_the_shell_and_ends_without_a_lone_backslash() {
        let c = curl(&call());
        assert!(c.contains(r#"-d '{"note":"it'\''s \"quoted\""}'"#), "{c}");
        assert!(!c.trim_end().ends_with('\\'));
        let get = curl(&Call {
            method: "GET".into(),
            url: "https://x/a".into(),
            headers: vec![],
            body: None,
        });
        assert_eq!(get.lines().count(), 3);
        assert!(!get.trim_end().ends_with('\\'));
    }
}
