package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in Debian's Chromium, headless, against a namespace with a known ruleset: the graph, a
 * trace from the form whose deciding rule is the one the kernel counts, a plan, and drift as it is
 * reported. Screenshots go to {@code target/screenshots} (the README's are copies).
 */
class PageBrowserTest {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** Every table and a few user chains, for a graph worth looking at; filter INPUT begins as in the API test. */
    private static final String RULES = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
            COMMIT
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -p tcp -m tcp --dport 22 -j MARK --set-xmark 0x1/0xffffffff
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A OUTPUT -d 198.51.100.7/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:80
            -A POSTROUTING -o eth0 -j MASQUERADE
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :LOGDROP - [0:0]
            :SSH - [0:0]
            :WEB - [0:0]
            -A INPUT -i lo -p udp -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 22 -j SSH
            -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
            -A INPUT -p tcp -m tcp --dport 443 -j WEB
            -A INPUT -g LOGDROP
            -A FORWARD -i eth0 -o eth1 -j WEB
            -A LOGDROP -j LOG --log-prefix "IN-DROP: "
            -A LOGDROP -j DROP
            -A SSH -s 192.0.2.0/24 -j ACCEPT
            -A WEB -s 198.51.100.0/24 -j ACCEPT
            -A WEB -j RETURN
            COMMIT
            """;

    @TempDir
    Path dir;

    @Test
    void traceFromTheFormMarksTheRuleTheKernelCounts() throws Exception {
        KernelTestSupport.requireKernel();
        requireBrowser();
        Path file = dir.resolve("host.rules");
        Files.writeString(file, RULES);
        try (Netns netns = Netns.throwaway("page", ProcessRunner.system())) {
            ApiKernelTest.netns = netns;
            ApiKernelTest.network(netns);
            ApiKernelTest.restore(RULES);
            RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, file,
                    ProcessRunner.system(), NameDatabase.system(), null, RollbackTimerMain.class.getName());
            try (ApiServer server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0),
                    null, null, ServerToken.of("page-test-token-0123456789"), ServerOptions.DEFAULT_MAX_BODY),
                    ProcessRunner.system());
                 WebDriver browser = WebDriver.start(dir.resolve("profile"), 1400, 1700)) {
                browser.open(server.url());
                browser.waitFor("document.body.dataset.ready === 'true'");
                long kernelChains = netns.run(List.of("iptables-save"), "").stdout().lines()
                        .filter(l -> l.startsWith(":")).count();
                assertThat(browser.script("return document.querySelectorAll('#graph .chain').length;").asLong())
                        .isEqualTo(kernelChains);
                browser.waitFor("document.querySelector('#status').classList.contains('in-sync')");
                browser.screenshot(SCREENSHOTS.resolve("ruleset.png"));

                browser.type("#pkt-in", "lo");
                browser.type("#pkt-src", "127.0.0.1");
                browser.type("#pkt-dst", "127.0.0.1");
                browser.type("#pkt-dport", "80");
                browser.click("#trace-run");
                browser.waitFor("document.querySelector('#rules li.decided')");
                String decided = browser.script("return document.querySelector('#rules li.decided').dataset.rule;")
                        .asText();
                assertThat(browser.script("return document.querySelectorAll('.decided').length;").asInt()).isEqualTo(1);
                assertThat(decided).isEqualTo(tracerSays(service, Map.of("in", "lo", "src", "127.0.0.1", "dst",
                        "127.0.0.1", "dport", "80")));
                assertThat(decided).isEqualTo("filter/INPUT/3");
                // The kernel agrees: a real SYN to port 80 over lo is counted by that rule.
                long before = ApiKernelTest.kernelCounter("INPUT", 3);
                netns.run(List.of("timeout", "2", "bash", "-c", "echo > /dev/tcp/127.0.0.1/80"), "");
                assertThat(ApiKernelTest.kernelCounter("INPUT", 3)).isGreaterThan(before);
                assertThat(browser.script("return document.querySelector('#graph .chain.decided-chain').dataset.chain;")
                        .asText()).isEqualTo("filter/INPUT");
                browser.screenshot(SCREENSHOTS.resolve("trace.png"));

                browser.type("#plan-text", RULES.replace("--dport 80 -j", "--dport 8443 -j"));
                browser.click("#plan-run");
                browser.waitFor("document.querySelector('#plan-out .add')");
                assertThat(browser.script("return document.querySelector('#plan-out .add').textContent;").asText())
                        .contains("~ 3: -A INPUT -p tcp -m tcp --dport 8443 -j ACCEPT   [request:"
                                + lineOf(RULES, "--dport 80 -j") + "]");
                netns.run(List.of("iptables", "-D", "SSH", "1"), "");
                browser.waitFor("document.querySelector('#events li.drift')");
                browser.waitFor("document.querySelector('#status').classList.contains('drift')");
                browser.script("document.querySelector('#plan-section').scrollIntoView();");
                browser.screenshot(SCREENSHOTS.resolve("plan-and-drift.png"));

                // Applied to be confirmed within a minute, then rolled back from the page.
                browser.type("#token", "page-test-token-0123456789");
                browser.type("#confirm-within", "60s");
                browser.click("#apply-run");
                browser.waitFor("document.querySelector('#plan-out .head')"
                        + " && document.querySelector('#plan-out .head').textContent.includes('unless confirmed')");
                assertThat(netns.run(List.of("iptables-save"), "").stdout()).contains("--dport 8443 -j ACCEPT");
                // The apply made Rampart's bookkeeping chain in each table: counted apart, drawn only when asked for.
                String userCounts = "4 tables, " + kernelChains + " chains, ";
                browser.waitFor("document.querySelector('#ruleset-summary').textContent.includes(\"Rampart's own: 4 chains\")");
                assertThat(browser.script("return document.querySelector('#ruleset-summary').textContent;").asText())
                        .startsWith(userCounts);
                assertThat(browser.script("return document.querySelectorAll('#graph .own').length;").asInt()).isZero();
                browser.click("#show-own");
                browser.waitFor("document.querySelector('#graph .chain.own[data-chain=\"filter/RAMPART-MANAGED\"]')");
                browser.click("#rollback-run");
                browser.waitFor("document.querySelector('#plan-out .head')"
                        + " && document.querySelector('#plan-out .head').textContent.includes('rolled back')");
                String after = netns.run(List.of("iptables-save"), "").stdout();
                assertThat(after).contains("--dport 80 -j ACCEPT").doesNotContain("--dport 8443");
            } finally {
                String key = "netns-" + netns.name().orElseThrow() + ".ipv4";
                Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, key + ".lock"));
                Files.deleteIfExists(Path.of(PendingConfirmation.ROOT, key + ".log"));
            }
        } finally {
            ApiKernelTest.netns = null;
        }
    }

    /** The deciding rule by the tracer, found as the page finds it: the filter table's accepting rule. */
    static String tracerSays(RampartService service, Map<String, String> packet) {
        TraceResult trace = service.trace(new TraceRequest(packet, false, List.of(), null));
        return trace.trace().steps().stream().filter(s -> s.table().equals("filter") && s.verdict().equals("ACCEPT"))
                .reduce((first, second) -> second).map(s -> s.table() + "/" + s.chain() + "/" + s.rule()).orElseThrow();
    }

    private static int lineOf(String text, String part) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i + 1;
            }
        }
        throw new AssertionError(part + " is not in the ruleset");
    }

    static void requireBrowser() {
        if (Files.isExecutable(WebDriver.CHROMIUM) && Files.isExecutable(WebDriver.CHROMEDRIVER)) {
            return;
        }
        String problem = "chromium and chromium-driver are not installed (run ./scripts/install-deps)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("the browser test must run in CI: " + problem);
        }
        Assumptions.abort("browser test skipped: " + problem);
    }
}
