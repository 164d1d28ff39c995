package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page over large live rulesets in Debian's Chromium: 10,000 rules in 1,000 chains and 100,000
 * rules in 1,000 chains. The first render stays readable, a search focuses the chain it finds, and
 * a trace draws its path with the deciding rule in view. The times each step took are printed, as
 * figures for the README, never asserted; screenshots go to {@code target/screenshots}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PageScaleBrowserTest {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final int CHAINS = 1_000;
    /** The chain the search and the trace go to: INPUT sends 10.1.243.0/24 there. */
    private static final int TARGET = 500;
    /** A rule of the target chain, ACCEPT for 172.16.7.0/24 to tcp port 1007. */
    private static final int DECIDING_RULE = 7;
    private static final Map<String, String> PACKET = Map.of("in", "eth0", "src", "172.16." + DECIDING_RULE + ".9",
            "dst", network(TARGET).replace(".0/24", ".5"), "proto", "tcp", "dport", String.valueOf(1000 + DECIDING_RULE));
    /** Whether an element is wholly inside the window (and so on the screen). */
    private static final String IN_VIEW = "const r = document.querySelector(\"%s\").getBoundingClientRect();"
            + " return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;";

    @TempDir
    Path dir;

    @Test
    void tenThousandRulesInAThousandChains() throws Exception {
        walkThrough(10, "1000-chains", true);
    }

    @Test
    void aHundredThousandRules() throws Exception {
        walkThrough(100, "100000-rules", false);
    }

    /**
     * Loads {@code rulesPerChain} rules into each of the chains, serves them and goes through the page:
     * first render, search and focus, trace; with {@code all}, keyboard navigation and a phone's screen too.
     */
    private void walkThrough(int rulesPerChain, String name, boolean all) throws Exception {
        KernelTestSupport.requireKernel();
        PageBrowserTest.requireBrowser();
        String rules = ruleset(rulesPerChain);
        int total = 2 + CHAINS + CHAINS * rulesPerChain;
        try (Netns netns = Netns.throwaway("scale", ProcessRunner.system())) {
            ApiKernelTest.network(netns);
            run(netns, "ip addr add " + network(TARGET).replace(".0/24", ".5/24") + " dev eth0"); // the packet's destination
            long restoring = System.nanoTime();
            ProcessResult restored = netns.run(List.of("iptables-restore"), rules);
            assertThat(restored.ok()).as(restored.stderr()).isTrue();
            report(name, "iptables-restore of " + total + " rules", restoring);
            RampartService service = new RampartService(netns.name().orElseThrow(), Family.IPV4, null,
                    ProcessRunner.system(), NameDatabase.system());
            try (ApiServer server = ApiServer.start(service, new ServerOptions(new InetSocketAddress("127.0.0.1", 0),
                    null, null, ServerToken.of("scale-test-token-0123456789"), ServerOptions.DEFAULT_MAX_BODY),
                    ProcessRunner.system());
                 WebDriver browser = WebDriver.start(dir.resolve("profile"), 1280, 1000)) {
                long looking = System.nanoTime();
                RulesetOutline outline = service.outline(null);
                report(name, "the server's first look (iptables-save -c and parse)", looking);
                assertThat(outline.user()).isEqualTo(new RulesetOutline.Totals(3 + CHAINS, total));

                browser.open(server.url());
                browser.waitFor("document.body.dataset.ready === 'true'");
                report(name, "first render", browser.script(
                        "return performance.getEntriesByName('rampart-ready')[0].startTime;").asDouble());
                assertThat(browser.script("return document.querySelector('#ruleset-summary').textContent;").asText())
                        .isEqualTo(String.format("1 table, %,d chains, %,d rules", 3 + CHAINS, total));
                // Readable: the built-in chains and one closed group of the thousand chains INPUT reaches.
                assertThat(browser.script("return [...document.querySelectorAll('#graph .chain')].map(c =>"
                        + " c.dataset.chain).join(' ');").asText()).isEqualTo("filter/INPUT filter/FORWARD filter/OUTPUT");
                assertThat(browser.script("return document.querySelector('#graph .group').textContent;").asText())
                        .isEqualTo("▸ from INPUT1,000 chains" + String.format("%,d", CHAINS * rulesPerChain) + " rules");
                assertThat(browser.script("const b = document.querySelector('#graph-box');"
                        + " return b.scrollWidth <= b.clientWidth;").asBoolean()).as("no sideways scrolling").isTrue();
                browser.screenshot(SCREENSHOTS.resolve(name + "-ruleset.png"));
                if (all) {
                    keyboard(browser);
                }

                browser.type("#search", "C" + TARGET);
                browser.click("#search-run");
                String focused = "#graph .chain.focused[data-chain='filter/C" + TARGET + "']";
                browser.waitFor("document.querySelector(\"" + focused + "\") && document.querySelector('#rules li')");
                report(name, "search and focus", browser.script(
                        "return performance.getEntriesByName('rampart-search').at(-1).duration;").asDouble());
                assertThat(browser.script(String.format(IN_VIEW, focused)).asBoolean()).as("found chain in view").isTrue();
                // With its caller, INPUT, and the rules of the chain loaded when it was opened.
                assertThat(browser.script("return document.querySelectorAll('#graph .chain').length;").asInt())
                        .isEqualTo(4);
                assertThat(browser.script("return document.querySelectorAll('#rules li').length;").asInt())
                        .isEqualTo(rulesPerChain);
                browser.screenshot(SCREENSHOTS.resolve(name + "-search.png"));

                for (Map.Entry<String, String> field : PACKET.entrySet()) {
                    browser.type("#pkt-" + field.getKey(), field.getValue());
                }
                browser.click("#trace-run");
                browser.waitFor("document.querySelector('#rules li.decided')");
                report(name, "trace drawn", browser.script(
                        "return performance.getEntriesByName('rampart-trace').at(-1).duration;").asDouble());
                String decided = browser.script("return document.querySelector('#rules li.decided').dataset.rule;")
                        .asText();
                assertThat(decided).isEqualTo(PageBrowserTest.tracerSays(service, PACKET))
                        .isEqualTo("filter/C" + TARGET + "/" + DECIDING_RULE);
                assertThat(browser.script(String.format(IN_VIEW, "#rules li.decided")).asBoolean())
                        .as("deciding rule in view").isTrue();
                // The path in order, numbered; everything else dimmed.
                assertThat(browser.script("return [...document.querySelectorAll('#graph .chain.on-path')].map(c =>"
                        + " c.dataset.chain + '=' + c.querySelector('text.step-number').textContent).join(' ');")
                        .asText()).isEqualTo("filter/INPUT=1 filter/C" + TARGET + "=2");
                assertThat(browser.script("return [...document.querySelectorAll('#graph .chain, #graph .group')]"
                        + ".filter(c => !c.classList.contains('on-path') && !c.classList.contains('dimmed')).length;")
                        .asInt()).isZero();
                browser.screenshot(SCREENSHOTS.resolve(name + "-trace.png"));
                if (all) {
                    phone(browser, name);
                }
            }
        }
    }

    /** The arrow keys move from INPUT down to the group it reaches; Enter opens it, a page of chains at a time. */
    private static void keyboard(WebDriver browser) throws Exception {
        browser.type("#graph .chain[data-chain='filter/INPUT']", "\uE015"); // arrow down
        assertThat(browser.script("return document.activeElement.dataset.group;").asText()).isEqualTo("filter/from-INPUT");
        browser.type("#graph .group", "\uE007"); // enter
        browser.waitFor("document.querySelector('#graph .group').getAttribute('aria-expanded') === 'true'");
        assertThat(browser.script("return document.querySelectorAll('#graph .chain.user').length;").asInt())
                .isEqualTo(24);
        assertThat(browser.script("return [...document.querySelectorAll('#graph .chain.user')].slice(0, 3)"
                + ".map(c => c.dataset.chain).join(' ');").asText()).isEqualTo("filter/C1 filter/C2 filter/C3");
        assertThat(browser.script("return document.activeElement.dataset.group;").asText()).isEqualTo("filter/from-INPUT");
        browser.type("#graph .group", "\uE007");
        browser.waitFor("document.querySelector('#graph .group').getAttribute('aria-expanded') === 'false'");
    }

    /** On a phone's screen the page reads without sideways scrolling; only the graph scrolls within its box. */
    private static void phone(WebDriver browser, String name) throws Exception {
        browser.resize(390, 844);
        browser.waitFor("document.querySelector('#graph-box').clientWidth < 400");
        assertThat(browser.script("return document.documentElement.scrollWidth <= innerWidth;").asBoolean())
                .as("no sideways scrolling of the page").isTrue();
        browser.script("document.querySelector('#rules li.decided').scrollIntoView({block: 'center'});");
        browser.screenshot(SCREENSHOTS.resolve(name + "-phone.png"));
    }

    /** INPUT sends each chain's /24 there; each chain accepts a port per rule and ends with a REJECT. */
    private static String ruleset(int rulesPerChain) {
        StringBuilder out = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int k = 1; k <= CHAINS; k++) {
            out.append(":C").append(k).append(" - [0:0]\n");
        }
        out.append("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n");
        for (int k = 1; k <= CHAINS; k++) {
            out.append("-A INPUT -d ").append(network(k)).append(" -j C").append(k).append('\n');
        }
        for (int k = 1; k <= CHAINS; k++) {
            for (int i = 1; i < rulesPerChain; i++) {
                out.append("-A C").append(k).append(" -s 172.16.").append(i % 256).append(".0/24 -p tcp -m tcp --dport ")
                        .append(1000 + i).append(" -j ACCEPT\n");
            }
            out.append("-A C").append(k).append(" -j REJECT --reject-with icmp-port-unreachable\n");
        }
        return out.append("COMMIT\n").toString();
    }

    private static String network(int chain) {
        return "10." + (chain - 1) / 256 + "." + (chain - 1) % 256 + ".0/24";
    }

    private static void run(Netns netns, String command) {
        ProcessResult result = netns.run(List.of(command.split(" ")), "");
        assertThat(result.ok()).as(command + ": " + result.stderr()).isTrue();
    }

    private static void report(String name, String step, long startedNanos) {
        report(name, step, (System.nanoTime() - startedNanos) / 1e6);
    }

    private static void report(String name, String step, double millis) {
        System.out.printf("page at %s: %s took %,.0f ms%n", name, step, millis);
    }
}
