package io.rampart.lb;

/**
 * One backend of a profile and its share of the traffic: {@code 10.0.0.1:80} (weight 1) or
 * {@code 10.0.0.1:80*3}.
 */
public record Destination(Endpoint endpoint, int weight) {

    public static final int MAX_WEIGHT = 1000;

    public static Destination parse(String text, String what) throws LbException {
        int star = text.lastIndexOf('*');
        if (star < 0) {
            return new Destination(Endpoint.parse(text, what), 1);
        }
        String weight = text.substring(star + 1).strip();
        if (!weight.matches("\\d{1,4}") || Integer.parseInt(weight) < 1 || Integer.parseInt(weight) > MAX_WEIGHT) {
            throw new LbException(what + ": bad weight `" + weight + "' in `" + text + "': use a whole number 1-"
                    + MAX_WEIGHT);
        }
        return new Destination(Endpoint.parse(text.substring(0, star), what), Integer.parseInt(weight));
    }

    /** As the state file keeps it: the weight only when it is not 1, so IPTLB's files read the same. */
    @Override
    public String toString() {
        return weight == 1 ? endpoint.toString() : endpoint + "*" + weight;
    }
}
