// BouncyCastle peer for the interop tests: reads one command per line on stdin, answers one line each.
// Commands (all arguments lowercase hex):
//   sign      D UID MSG        -> DER signature (SM2Signer, StandardDSAEncoding)
//   signraw   D UID MSG        -> 64-byte r||s (SM2Signer, PlainDSAEncoding)
//   verify    PUB UID MSG SIG  -> true | false   (PUB = 04||X||Y, SIG DER)
//   verifyraw PUB UID MSG SIG  -> true | false   (SIG = r||s)
//   encrypt   PUB MSG          -> 04||C1||C3||C2 (SM2Engine, Mode.C1C3C2)
//   decrypt   D CT             -> plaintext, or "error"
// An empty UID is written as "-".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.util.encoders.Hex;

public final class SM2Interop {
    private static final X9ECParameters X9 = GMNamedCurves.getByName("sm2p256v1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());
    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] hex(String text) {
        return "-".equals(text) ? new byte[0] : Hex.decode(text);
    }

    private static ECPrivateKeyParameters privateKey(String d) {
        return new ECPrivateKeyParameters(new BigInteger(1, hex(d)), DOMAIN);
    }

    private static ECPublicKeyParameters publicKey(String point) {
        return new ECPublicKeyParameters(X9.getCurve().decodePoint(hex(point)), DOMAIN);
    }

    private static SM2Signer signer(boolean raw) {
        return new SM2Signer(raw ? PlainDSAEncoding.INSTANCE : StandardDSAEncoding.INSTANCE);
    }

    private static String run(String[] p) throws Exception {
        switch (p[0]) {
            case "sign":
            case "signraw": {
                SM2Signer s = signer(p[0].equals("signraw"));
                s.init(true, new ParametersWithID(new ParametersWithRandom(privateKey(p[1]), RANDOM), hex(p[2])));
                byte[] msg = hex(p[3]);
                s.update(msg, 0, msg.length);
                return Hex.toHexString(s.generateSignature());
            }
            case "verify":
            case "verifyraw": {
                SM2Signer s = signer(p[0].equals("verifyraw"));
                s.init(false, new ParametersWithID(publicKey(p[1]), hex(p[2])));
                byte[] msg = hex(p[3]);
                s.update(msg, 0, msg.length);
                return Boolean.toString(s.verifySignature(hex(p[4])));
            }
            case "encrypt": {
                SM2Engine engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
                engine.init(true, new ParametersWithRandom(publicKey(p[1]), RANDOM));
                byte[] msg = hex(p[2]);
                return Hex.toHexString(engine.processBlock(msg, 0, msg.length));
            }
            case "decrypt": {
                SM2Engine engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
                engine.init(false, privateKey(p[1]));
                byte[] ct = hex(p[2]);
                try {
                    return Hex.toHexString(engine.processBlock(ct, 0, ct.length));
                } catch (Exception e) {
                    return "error";
                }
            }
            default:
                throw new IllegalArgumentException("unknown command " + p[0]);
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "US-ASCII"));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isEmpty()) {
                out.append(run(line.trim().split(" "))).append('\n');
            }
        }
        System.out.print(out);
    }
}
