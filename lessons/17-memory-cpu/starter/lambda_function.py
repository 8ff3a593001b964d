def count_primes(below):
    """Trial division: plain, CPU-bound Python (one thread, no I/O)."""
    count = 0
    for n in range(2, below):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def lambda_handler(event, context):
    below = int(event["below"])
    return {"below": below, "primes": count_primes(below)}
