import type { Metadata } from "next";
import type { ReactNode } from "react";
import { NavBar } from "./components/nav-bar";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "preflab",
  description: "Human-preference data and the training that uses it",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <NavBar />
          <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
